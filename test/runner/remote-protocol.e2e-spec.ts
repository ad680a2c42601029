import { randomUUID } from 'node:crypto';
import { PersonasInternalController } from '../../src/personas/api/personas-internal.controller.js';
import { PersonaScheduleService } from '../../src/personas/schedule/persona-schedule.service.js';
import { http } from '../support/http.js';
import { createPersona } from '../support/personas.js';
import type { TestApp } from '../support/test-app.js';
import { waitFor } from '../support/wait-for.js';
import { bootRunnerApp, parkAllPersonas, personaRow, runnerPersona } from './runner.fixtures.js';

const BASE = '/api/v1/personas/internal';

describe(`${PersonasInternalController.name} remote-runner protocol`, () => {
  let t: TestApp;
  let key: { headers: Record<string, string> };

  beforeAll(async () => {
    t = await bootRunnerApp();
    key = { headers: { 'x-service-key': t.config.serviceKey } };
  });
  afterAll(async () => {
    await parkAllPersonas(t);
    await t.close();
  });
  beforeEach(() => parkAllPersonas(t));

  const claim = (limit: unknown, extra: Record<string, unknown> = {}) =>
    http(t.url, 'POST', `${BASE}/claims`, { ...key, body: { limit, ...extra } });
  const finishBody = (leaseToken: string, extra: Record<string, unknown> = {}) => ({
    leaseToken,
    status: 'ok',
    toolCalls: 2,
    tokensIn: 10,
    tokensOut: 5,
    costUsd: 0.001,
    ...extra,
  });
  const count = async (table: string, tickId: string) =>
    (await t.dataSource.query(`SELECT count(*)::int AS n FROM ${table} WHERE tick_id = $1`, [tickId]))[0]
      .n as number;

  it('should refuse every new route without the service key (401)', async () => {
    const tick = randomUUID();
    const lease = randomUUID();
    for (const [path, body] of [
      [`${BASE}/claims`, { limit: 1 }],
      [`${BASE}/ticks/${tick}/extend`, { leaseToken: lease }],
      [`${BASE}/ticks/${tick}/finish`, finishBody(lease)],
      [`${BASE}/ticks/${tick}/memory`, { leaseToken: lease }],
    ] as const) {
      const anonymous = await http(t.url, 'POST', path, { body });
      expect({ path, status: anonymous.status }).toEqual({ path, status: 401 });
      const wrong = await http(t.url, 'POST', path, {
        headers: { 'x-service-key': `${t.config.serviceKey.slice(0, -1)}x` },
        body,
      });
      expect({ path, status: wrong.status }).toEqual({ path, status: 401 });
    }
  });

  it('should refuse GET budget without the service key (401)', async () => {
    expect((await http(t.url, 'GET', `${BASE}/budget`)).status).toBe(401);
    const wrong = await http(t.url, 'GET', `${BASE}/budget`, { headers: { 'x-service-key': 'nope' } });
    expect(wrong.status).toBe(401);
  });

  it.each([
    [{ limit: 0 }, 'limit must be an integer from 1 to 50'],
    [{ limit: 51 }, 'limit must be an integer from 1 to 50'],
    [{ limit: 2.5 }, 'limit must be an integer from 1 to 50'],
    [{}, 'limit must be an integer from 1 to 50'],
    [{ limit: 1, exclude: ['nope'] }, 'exclude must contain only UUIDs'],
    [{ limit: 1, brain: 'Not A Brain!' }, 'brain must be 1–32 characters'],
    [{ limit: 1, surprise: true }, 'property surprise should not exist'],
  ])('should answer 400 to the claim body %j naming the field', async (body, message) => {
    const res = await http(t.url, 'POST', `${BASE}/claims`, { ...key, body });
    expect(res.status).toBe(400);
    expect(JSON.stringify(res.body.message)).toContain(message);
  });

  it('should answer 400 naming the fields of a bad extend or finish', async () => {
    const tick = randomUUID();
    const extend = await http(t.url, 'POST', `${BASE}/ticks/${tick}/extend`, { ...key, body: {} });
    expect(extend.status).toBe(400);
    expect(JSON.stringify(extend.body.message)).toContain('leaseToken must be a UUID');
    const badId = await http(t.url, 'POST', `${BASE}/ticks/nope/finish`, {
      ...key,
      body: finishBody(randomUUID()),
    });
    expect(badId.status).toBe(400);
    expect(JSON.stringify(badId.body.message)).toContain('tickId must be a UUID');
    const finish = await http(t.url, 'POST', `${BASE}/ticks/${tick}/finish`, {
      ...key,
      body: finishBody(randomUUID(), { status: 'running', toolCalls: -1, costUsd: 'x', error: 5 }),
    });
    expect(finish.status).toBe(400);
    const message = JSON.stringify(finish.body.message);
    for (const field of ['status must be one of', 'toolCalls must be', 'costUsd must be', 'error must be'])
      expect(message).toContain(field);
    const cache = await http(t.url, 'POST', `${BASE}/ticks/${tick}/finish`, {
      ...key,
      body: finishBody(randomUUID(), { cacheReadTokens: -1, cacheWriteTokens: 1.5 }),
    });
    expect(cache.status).toBe(400);
    for (const field of ['cacheReadTokens must be an integer ≥ 0', 'cacheWriteTokens must be an integer ≥ 0'])
      expect(JSON.stringify(cache.body.message)).toContain(field);
    const memory = await http(t.url, 'POST', `${BASE}/ticks/${tick}/memory`, {
      ...key,
      body: { leaseToken: 'nope' },
    });
    expect(memory.status).toBe(400);
    expect(JSON.stringify(memory.body.message)).toContain('leaseToken must be a UUID');
  });

  it("should answer a running tick's memory under its lease only, and a repeated finish as the first", async () => {
    const p = await createPersona(t, runnerPersona());
    const [item] = (await claim(1, { brain: 'scripted' })).body.items;
    const memory = await http(t.url, 'POST', `${BASE}/ticks/${item.tickId}/memory`, {
      ...key,
      body: { leaseToken: item.leaseToken },
    });
    expect(memory.status).toBe(200);
    // a first day: nothing to remember
    expect(memory.body).toEqual({ tickId: item.tickId, memory: null });
    const stale = await http(t.url, 'POST', `${BASE}/ticks/${item.tickId}/memory`, {
      ...key,
      body: { leaseToken: randomUUID() },
    });
    expect(stale.status).toBe(409);
    expect(stale.body.message).toContain('lease token is not');

    const body = finishBody(item.leaseToken, { cacheReadTokens: 7, cacheWriteTokens: 3, error: null });
    const first = await http(t.url, 'POST', `${BASE}/ticks/${item.tickId}/finish`, { ...key, body });
    expect(first.status).toBe(200);
    // its answer was lost and the runner sends it again: the same answer, nothing written twice
    const repeat = await http(t.url, 'POST', `${BASE}/ticks/${item.tickId}/finish`, { ...key, body });
    expect({ status: repeat.status, body: repeat.body }).toEqual({ status: 200, body: first.body });
    const [tick] = await t.dataSource.query(`SELECT * FROM persona_ticks WHERE id = $1`, [item.tickId]);
    expect(tick).toMatchObject({ status: 'ok', cache_read_tokens: 7, cache_write_tokens: 3 });
    expect((await personaRow(t, p.userId)).lease_token).toBeNull();
    // after the finish the lease is gone: no memory under it any more
    const after = await http(t.url, 'POST', `${BASE}/ticks/${item.tickId}/memory`, {
      ...key,
      body: { leaseToken: item.leaseToken },
    });
    expect(after.status).toBe(409);
  });

  it('should answer DAILY_BUDGET_USD against the spend of today, and claim for any brain without a cap', async () => {
    const budget = await http(t.url, 'GET', `${BASE}/budget`, key);
    expect(budget.status).toBe(200);
    expect(budget.body).toEqual({
      budgetUsd: null,
      spentTodayUsd: expect.any(Number),
      reached: false,
      reason: null,
      resumesAt: expect.any(String),
    });
    expect(Date.parse(budget.body.resumesAt)).toBeGreaterThan(Date.now());
    await createPersona(t, runnerPersona());
    const claimed = await claim(1, { brain: 'anthropic' });
    expect(claimed.body).toMatchObject({ items: [expect.any(Object)], dailyBudget: null });
  });

  it('should claim due personas with their profile, tick and lease, and no password or secret', async () => {
    const p = await createPersona(t, runnerPersona({ tickCadence: 'daily', timezone: 'Europe/Berlin' }));
    const res = await claim(5, { runnerId: 'remote-test', brain: 'scripted' });
    expect(res.status).toBe(200);
    expect(res.body.items).toHaveLength(1);
    const [item] = res.body.items;
    expect(item).toEqual({
      tickId: expect.any(String),
      leaseToken: expect.any(String),
      leaseExpiresAt: expect.any(String),
      claimedAt: expect.any(String),
      userId: p.userId,
      email: p.email,
      archetype: expect.any(String),
      systemPrompt: expect.any(String),
      moduleMix: { todo: 3, notes: 2, journal: 1 },
      timezone: 'Europe/Berlin',
      cadence: 'daily',
      consecutiveFailures: 0,
    });
    expect(res.text).not.toContain(p.password);
    expect(res.text).not.toContain(t.config.personaSeedSecret);
    expect(res.text).not.toContain(t.config.serviceKey);
    const leaseMs = Date.parse(item.leaseExpiresAt) - Date.parse(item.claimedAt);
    expect(Math.abs(leaseMs - t.config.leaseMs)).toBeLessThan(1000);
    const row = await personaRow(t, p.userId);
    expect(row).toMatchObject({ lease_owner: 'remote-test', lease_token: item.leaseToken });
    const [tick] = await t.dataSource.query(`SELECT * FROM persona_ticks WHERE id = $1`, [item.tickId]);
    expect(tick).toMatchObject({ persona_id: p.userId, status: 'running', brain: 'scripted' });
    // leased: nobody claims it again
    expect((await claim(5)).body.items).toEqual([]);
  });

  it('should extend the lease, then finish with the next due time computed by the server', async () => {
    const p = await createPersona(t, runnerPersona({ tickCadence: 'daily' }));
    const [item] = (await claim(1)).body.items;
    // the extend must land on a later millisecond of the database's clock than the claim did
    await waitFor('the database clock to pass the claim', async () => {
      const [row] = await t.dataSource.query(`SELECT now() > $1::timestamptz + interval '1 ms' AS later`, [
        item.claimedAt,
      ]);
      return row.later as boolean;
    });
    const extended = await http(t.url, 'POST', `${BASE}/ticks/${item.tickId}/extend`, {
      ...key,
      body: { leaseToken: item.leaseToken },
    });
    expect(extended.status).toBe(200);
    expect(Date.parse(extended.body.leaseExpiresAt)).toBeGreaterThan(Date.parse(item.leaseExpiresAt));
    const finished = await http(t.url, 'POST', `${BASE}/ticks/${item.tickId}/finish`, {
      ...key,
      body: finishBody(item.leaseToken),
    });
    expect(finished.status).toBe(200);
    expect(finished.body).toMatchObject({ tickId: item.tickId, status: 'ok' });
    const hoursAhead = (Date.parse(finished.body.nextDueAt) - Date.now()) / 3_600_000;
    expect(hoursAhead).toBeGreaterThan(23.9);
    const row = await personaRow(t, p.userId);
    expect(row).toMatchObject({ lease_token: null, lease_owner: null, consecutive_failures: 0 });
    const [tick] = await t.dataSource.query(`SELECT * FROM persona_ticks WHERE id = $1`, [item.tickId]);
    expect(tick).toMatchObject({ status: 'ok', tool_calls: 2, tokens_in: 10, tokens_out: 5 });
  });

  it('should answer 409 to a stale lease token on finish, extend, actions, feedback and findings, writing nothing', async () => {
    const p = await createPersona(t, runnerPersona());
    const [old] = (await claim(1)).body.items;
    // the lease lapses and another runner takes the persona over
    await t.dataSource.query(
      `UPDATE personas SET lease_expires_at = now() - interval '1 second' WHERE user_id = $1`,
      [p.userId],
    );
    const [current] = (await claim(1, { runnerId: 'taker' })).body.items;
    expect(current.userId).toBe(p.userId);
    expect(current.leaseToken).not.toBe(old.leaseToken);
    const before = await personaRow(t, p.userId);

    const stale = old.leaseToken as string;
    const answers = {
      finish: await http(t.url, 'POST', `${BASE}/ticks/${old.tickId}/finish`, {
        ...key,
        body: finishBody(stale),
      }),
      extend: await http(t.url, 'POST', `${BASE}/ticks/${old.tickId}/extend`, {
        ...key,
        body: { leaseToken: stale },
      }),
      actions: await http(t.url, 'POST', `${BASE}/${p.userId}/actions`, {
        ...key,
        body: {
          leaseToken: stale,
          actions: [{ tickId: old.tickId, seq: 1, toolName: 'todo.list', result: 'ok' }],
        },
      }),
      feedback: await http(t.url, 'POST', `${BASE}/${p.userId}/feedback`, {
        ...key,
        body: { leaseToken: stale, feedback: [{ tickId: old.tickId, module: 'todo', rating: 3 }] },
      }),
      findings: await http(t.url, 'POST', `${BASE}/${p.userId}/findings`, {
        ...key,
        body: {
          leaseToken: stale,
          findings: [
            {
              tickId: old.tickId,
              seq: 1,
              module: 'todo',
              tool: 'todo.list',
              class: 'wrong_result',
              check: 'rw.list',
              expected: 'a',
              got: 'b',
              source: 'oracle',
            },
          ],
        },
      }),
      // the current holder's token does not open the old tick either
      wrongTick: await http(t.url, 'POST', `${BASE}/${p.userId}/actions`, {
        ...key,
        body: {
          leaseToken: current.leaseToken,
          actions: [{ tickId: old.tickId, seq: 1, toolName: 'todo.list', result: 'ok' }],
        },
      }),
    };
    for (const [route, res] of Object.entries(answers)) {
      expect({ route, status: res.status }).toEqual({ route, status: 409 });
      expect(res.body.message).toContain('lease token is not');
    }
    for (const table of ['persona_actions', 'persona_feedback', 'persona_findings'])
      expect(await count(table, old.tickId)).toBe(0);
    const after = await personaRow(t, p.userId);
    expect(after).toMatchObject({
      lease_token: current.leaseToken,
      lease_owner: 'taker',
      next_due_at: before.next_due_at,
      consecutive_failures: before.consecutive_failures,
    });
    expect(after.lease_expires_at).toEqual(before.lease_expires_at);
    const [oldTick] = await t.dataSource.query(`SELECT status, tool_calls FROM persona_ticks WHERE id = $1`, [
      old.tickId,
    ]);
    expect(oldTick).toEqual({ status: 'failed', tool_calls: 0 });

    // the current holder writes and finishes; afterwards its own token is stale too
    const ok = await http(t.url, 'POST', `${BASE}/${p.userId}/actions`, {
      ...key,
      body: {
        leaseToken: current.leaseToken,
        actions: [{ tickId: current.tickId, seq: 1, toolName: 'todo.list', result: 'ok' }],
      },
    });
    expect(ok.status).toBe(200);
    expect(ok.body).toEqual({ inserted: 1, duplicates: 0 });
    const done = await http(t.url, 'POST', `${BASE}/ticks/${current.tickId}/finish`, {
      ...key,
      body: finishBody(current.leaseToken),
    });
    expect(done.status).toBe(200);
    const again = await http(t.url, 'POST', `${BASE}/ticks/${current.tickId}/finish`, {
      ...key,
      body: finishBody(current.leaseToken, { status: 'failed' }),
    });
    expect(again.status).toBe(409);
    const late = await http(t.url, 'POST', `${BASE}/${p.userId}/actions`, {
      ...key,
      body: {
        leaseToken: current.leaseToken,
        actions: [{ tickId: current.tickId, seq: 2, toolName: 'todo.list', result: 'ok' }],
      },
    });
    expect(late.status).toBe(409);
    expect(await count('persona_actions', current.tickId)).toBe(1);
  });

  it('should skip disabled accounts in claimDue, as /due does', async () => {
    const on = await createPersona(t, runnerPersona());
    const off = await createPersona(t, runnerPersona());
    await t.dataSource.query(`UPDATE users SET disabled_at = now() WHERE id = $1`, [off.userId]);
    const due = await http(t.url, 'GET', `${BASE}/due?limit=200`, key);
    expect(due.body.items.map((i: { userId: string }) => i.userId)).not.toContain(off.userId);
    const claimed = await t.app.get(PersonaScheduleService).claimDue('disabled-test', 60_000, 50);
    expect(claimed.map((c) => c.userId)).toEqual([on.userId]);
    const remote = await claim(50);
    expect(remote.body.items).toEqual([]);
    expect((await personaRow(t, off.userId)).lease_token).toBeNull();
  });
});
