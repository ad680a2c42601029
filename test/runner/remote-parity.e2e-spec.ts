import { createServer, request } from 'node:http';
import type { Server } from 'node:http';
import type { Socket } from 'node:net';
import { HttpTickStore } from '../../src/runner/remote/http-tick.store.js';
import { message, text, toolUse } from '../support/fake-anthropic.js';
import type { FakeAnthropic, RecordedRequest } from '../support/fake-anthropic.js';
import { http } from '../support/http.js';
import { createPersona } from '../support/personas.js';
import { bootAnthropicRunner, closeRunnerApp } from '../support/runner-app.js';
import { exitWithin, startRemoteRunner } from '../support/remote-runner-process.js';
import type { WatchedProcess } from '../support/server-process.js';
import type { TestApp } from '../support/test-app.js';
import { parkAllPersonas, personaRow, runner, runnerPersona, ticksOf } from './runner.fixtures.js';

const INTERNAL = '/api/v1/personas/internal';
/** The same brain settings for the server's in-process runner and the remote runner. */
const BRAIN_ENV = {
  PERSONA_BRAIN: 'anthropic',
  ANTHROPIC_API_KEY: 'sk-ant-test-key',
  ANTHROPIC_MODEL: 'claude-test-model',
  ANTHROPIC_PRICE_IN_PER_MTOK: '3',
  ANTHROPIC_PRICE_OUT_PER_MTOK: '15',
  TICK_TIMEOUT_MS: '20000', // no tick here is meant to time out: room for a loaded machine
  ORACLE_MAX_PROBES: '0', // the suite compares prompts, budgets and finishes, not the oracle engine
};
/** Far above what the other suites spend today: test 2 brings today's spend to just under it itself. */
const DAILY_BUDGET_USD = 1000;
/** 1000 in / 50 out at 3 / 15 USD per million: $0.00375. */
const CALL = { input_tokens: 1000, output_tokens: 50 };
const EXIT_WITHIN_MS = 90_000;

/** `npm run runner:remote -- --api=<api> --once` of this run's build, with the anthropic brain on the fake. */
function startRemote(t: TestApp, fake: FakeAnthropic, api = t.url): WatchedProcess {
  return startRemoteRunner(
    t,
    ['--once'],
    { PERSONA_CONCURRENCY: '1', ...BRAIN_ENV, ANTHROPIC_BASE_URL: fake.url },
    api,
  );
}

/** Waits for the remote runner to exit 0 and answers its summary line. */
async function finished(c: WatchedProcess): Promise<{ ticks: number; ok: number; failed: number }> {
  const exit = await exitWithin(c, EXIT_WITHIN_MS);
  expect({ exit, output: exit.code === 0 ? '' : c.output() }).toEqual({
    exit: { code: 0, signal: null },
    output: '',
  });
  const line = c
    .output()
    .split('\n')
    .find((l) => l.startsWith('{"runner":"remote"'));
  if (!line) throw new Error(`no summary line; output:\n${c.output()}`);
  return JSON.parse(line);
}

/**
 * A stand-in for a load balancer between the remote runner and the server: passes every request
 * through (MCP's streamed answers included), but answers 503 to the first `failFinishes` POSTs of
 * …/ticks/:tickId/finish without passing them on. `finishes` lists the status of every finish.
 */
async function flakyProxy(
  upstream: string,
  failFinishes: number,
): Promise<{ url: string; finishes: number[]; close(): Promise<void> }> {
  const finishes: number[] = [];
  const sockets = new Set<Socket>();
  const server: Server = createServer((req, res) => {
    const isFinish = req.method === 'POST' && /\/ticks\/[^/]+\/finish$/.test(req.url ?? '');
    if (isFinish && finishes.filter((s) => s === 503).length < failFinishes) {
      finishes.push(503);
      req.resume();
      res.writeHead(503, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ statusCode: 503, message: 'the stand-in proxy is failing this finish' }));
      return;
    }
    const out = request(
      new URL(req.url ?? '/', upstream),
      { method: req.method, headers: req.headers },
      (up) => {
        if (isFinish) finishes.push(up.statusCode ?? 0);
        res.writeHead(up.statusCode ?? 502, up.headers);
        up.pipe(res);
      },
    );
    out.on('error', () => res.destroy());
    req.pipe(out);
  });
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  return {
    url: `http://127.0.0.1:${port}`,
    finishes,
    close: async () => {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** The first user message without its clock time (the two ticks run minutes apart at most). */
const opening = (request: RecordedRequest): string =>
  JSON.stringify(request.body.messages[0].content).replace(/it is \d\d:\d\d/, 'it is HH:MM');

describe(`${HttpTickStore.name}: a remote runner's tick is the in-process runner's`, () => {
  let t: TestApp;
  let fake: FakeAnthropic;
  const children: WatchedProcess[] = [];

  const makeDue = (personaId: string) =>
    t.dataSource.query(`UPDATE personas SET next_due_at = now() - interval '1 second' WHERE user_id = $1`, [
      personaId,
    ]);
  const remote = (api?: string) => {
    const c = startRemote(t, fake, api);
    children.push(c);
    return c;
  };

  beforeAll(async () => {
    ({ t, fake } = await bootAnthropicRunner({ ...BRAIN_ENV, DAILY_BUDGET_USD: String(DAILY_BUDGET_USD) }));
  });
  afterAll(async () => {
    for (const c of children)
      if (c.child.exitCode === null && c.child.signalCode === null) c.child.kill('SIGKILL');
    await closeRunnerApp(t, fake);
  });
  beforeEach(async () => {
    fake.reset();
    await parkAllPersonas(t);
  });

  it("should start a remote tick with the same memory of earlier days, system prompt and tools as the in-process runner's", async () => {
    const persona = await createPersona(t, runnerPersona({ name: 'Parity Memory' }));
    // day 1 (in-process): something to remember
    fake.script(
      message([toolUse('todo_create', { title: 'Renew the domain before Friday' })]),
      message([text('Put the renewal on my list.')]),
      message([text(JSON.stringify({ ratings: [{ module: 'todo', rating: 4, notes: 'quick to add' }] }))]),
    );
    expect((await runner(t).runDue()).results).toMatchObject([{ status: 'ok', toolCalls: 1, ratings: 1 }]);

    // the same later day, once in-process and once remote; a day without calls or ratings is not
    // remembered, so both start from the same earlier days
    await makeDue(persona.userId);
    fake.reset();
    fake.script(message([text('Nothing new today.')]));
    expect((await runner(t).runDue()).results).toMatchObject([{ personaId: persona.userId, status: 'ok' }]);
    const [inProcess] = fake.messageRequests();

    await makeDue(persona.userId);
    fake.reset();
    fake.script(message([text('Nothing new today.')]));
    expect(await finished(remote())).toMatchObject({ ticks: 1, ok: 1, failed: 0 });
    const [remoteRequest] = fake.messageRequests();

    // the memory block: the persona's own first day, the same text, cached the same way
    expect(inProcess.body.system).toHaveLength(2);
    expect(inProcess.body.system[1].text).toContain('todo.create ok×1');
    expect(inProcess.body.system[1].text).toContain('quick to add');
    expect(remoteRequest.body.system).toEqual(inProcess.body.system);
    expect(remoteRequest.body.tools).toEqual(inProcess.body.tools);
    expect(opening(remoteRequest)).toEqual(opening(inProcess));
    const ticks = await ticksOf(t, persona.userId);
    expect(ticks.map((k: { status: string }) => k.status)).toEqual(['ok', 'ok', 'ok']);
  }, 120_000);

  it("should carry a remote tick's prompt-cache reads and writes to its tick row", async () => {
    const persona = await createPersona(t, runnerPersona({ name: 'Parity Cache' }));
    fake.script(
      message([toolUse('todo_create', { title: 'Cache the invoice run' })], {
        usage: {
          input_tokens: 200,
          output_tokens: 30,
          cache_creation_input_tokens: 1500,
          cache_read_input_tokens: 0,
        },
      }),
      message([text('Added it.')], {
        usage: {
          input_tokens: 40,
          output_tokens: 10,
          cache_creation_input_tokens: 120,
          cache_read_input_tokens: 1500,
        },
      }),
      message([text(JSON.stringify({ ratings: [{ module: 'todo', rating: 5, notes: 'fine' }] }))], {
        usage: {
          input_tokens: 30,
          output_tokens: 20,
          cache_creation_input_tokens: 0,
          cache_read_input_tokens: 1620,
        },
      }),
    );
    expect(await finished(remote())).toMatchObject({ ticks: 1, ok: 1 });
    const [tick] = await ticksOf(t, persona.userId);
    expect(tick).toMatchObject({
      status: 'ok',
      tool_calls: 1,
      cache_write_tokens: 1500 + 120,
      cache_read_tokens: 1500 + 1620,
      tokens_in: 270 + 1620 + 3120,
      tokens_out: 60,
    });
    // cache writes at 1.25 and reads at 0.1 of the input price, as in-process
    const expected = ((270 + 1620 * 1.25 + 3120 * 0.1) * 3 + 60 * 15) / 1e6;
    expect(Number(tick.cost_usd)).toBeCloseTo(expected, 6);
  }, 120_000);

  it('should finish a tick whose first two finishes got a 503 from the proxy in front of the server', async () => {
    const persona = await createPersona(t, runnerPersona({ name: 'Parity Retry' }));
    fake.script(message([text('A quiet day.')]));
    const proxy = await flakyProxy(t.url, 2);
    try {
      const c = remote(proxy.url);
      expect(await finished(c)).toMatchObject({ ticks: 1, ok: 1, failed: 0 });
      expect(proxy.finishes).toEqual([503, 503, 200]);
      const [tick] = await ticksOf(t, persona.userId);
      expect(tick).toMatchObject({ status: 'ok', error: null });
      expect(tick.finished_at).not.toBeNull();
      const row = await personaRow(t, persona.userId);
      expect(row).toMatchObject({ lease_token: null, consecutive_failures: 0, due_in_future: true });
      // each retry is logged at warn, naming the tick and the status, never the service key
      const retries = c.output().match(new RegExp(`finish of tick ${tick.id} failed \\(.*503.*\\)`, 'g'));
      expect(retries).toHaveLength(2);
      expect(c.output()).not.toContain(t.config.serviceKey);
    } finally {
      await proxy.close();
    }
  }, 120_000);

  it('should stop claiming with the anthropic brain once DAILY_BUDGET_USD is spent, as the in-process runner does', async () => {
    const first = await createPersona(t, runnerPersona({ name: 'Parity Budget One' }));
    const second = await createPersona(t, runnerPersona({ name: 'Parity Budget Two' }));
    const key = { headers: { 'x-service-key': t.config.serviceKey } };
    const before = await http(t.url, 'GET', `${INTERNAL}/budget`, key);
    expect(before.status).toBe(200);
    expect(before.body).toMatchObject({ budgetUsd: DAILY_BUDGET_USD, reached: false, reason: null });
    // today's spend (all suites of this database) to just under the cap: one remote tick passes it
    const ballastUsd = DAILY_BUDGET_USD - before.body.spentTodayUsd - 0.002;
    const [ballast] = await t.dataSource.query(
      `INSERT INTO persona_ticks (persona_id, status, brain, model, started_at, finished_at, cost_usd)
       VALUES ($1, 'ok', 'anthropic', 'claude-test-model', now(), now(), $2) RETURNING id`,
      [first.userId, ballastUsd.toFixed(6)],
    );
    /** The ticks the two personas played (the ballast is no tick of theirs). */
    const playedTicks = async () =>
      [...(await ticksOf(t, first.userId)), ...(await ticksOf(t, second.userId))].filter(
        (k: { id: string }) => k.id !== ballast.id,
      );
    try {
      fake.fallback = message([text('Spent the day.')], { usage: CALL });
      const c = remote();
      // one tick (concurrency 1); then the budget read before the next claim pauses the brain
      expect(await finished(c)).toMatchObject({ ticks: 1, ok: 1 });
      expect(c.output()).toContain('daily budget reached');
      expect(fake.messageRequests()).toHaveLength(1);
      const ticked = await playedTicks();
      expect(ticked).toHaveLength(1);
      const waiting = ticked[0].persona_id === first.userId ? second : first;
      expect((await personaRow(t, waiting.userId)).lease_token).toBeNull();

      // the server counts the remote tick's spend, and refuses a spending brain's claim by it
      const after = await http(t.url, 'GET', `${INTERNAL}/budget`, key);
      expect(after.body).toMatchObject({ reached: true });
      expect(after.body.reason).toContain('DAILY_BUDGET_USD');
      const refused = await http(t.url, 'POST', `${INTERNAL}/claims`, {
        ...key,
        body: { limit: 5, brain: 'anthropic', runnerId: 'parity-test' },
      });
      expect(refused.status).toBe(200);
      expect(refused.body).toMatchObject({ items: [], dailyBudget: { reached: true } });
      // …as the in-process runner pauses the same brain
      expect(await runner(t).runDue()).toMatchObject({ ticks: 0, skippedReason: 'brain-paused' });
      expect(await playedTicks()).toEqual(ticked);
    } finally {
      await t.dataSource.query(`DELETE FROM persona_ticks WHERE id = $1`, [ballast.id]);
    }
  }, 120_000);
});
