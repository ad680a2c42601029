import { RemoteRunner } from '../../src/runner/remote/remote-runner.js';
import { createPersona } from '../support/personas.js';
import { embeddedDb } from '../support/test-app.js';
import { exitWithin, startRemoteRunner } from '../support/remote-runner-process.js';
import type { WatchedProcess } from '../support/server-process.js';
import type { TestApp } from '../support/test-app.js';
import { waitFor } from '../support/wait-for.js';
import { bootRunnerApp, parkAllPersonas, runner, runnerPersona } from './runner.fixtures.js';

const PERSONAS = 12;
const WINDOWS = 2;
const ENV = { PERSONA_BRAIN: 'scripted', TICK_MAX_TURNS: '1', PERSONA_CONCURRENCY: '2' };
const EXIT_WITHIN_MS = 90_000;

type Child = WatchedProcess;

/** `npm run runner:remote` of this test run's build against `t`, with this suite's runner settings. */
const startRemote = (t: TestApp, args: string[], extraEnv: Record<string, string> = {}): Child =>
  startRemoteRunner(t, args, { ...ENV, ...extraEnv });

const exitOf = (c: Child, withinMs = EXIT_WITHIN_MS) => exitWithin(c, withinMs);

/** The summary line a remote runner prints on exit. */
function summaryOf(c: Child): { ticks: number; ok: number; failed: number } {
  const line = c
    .output()
    .split('\n')
    .find((l) => l.startsWith('{"runner":"remote"'));
  if (!line) throw new Error(`no summary line; output:\n${c.output()}`);
  return JSON.parse(line);
}

describe(RemoteRunner.name, () => {
  let t: TestApp;
  const children: Child[] = [];

  beforeAll(async () => {
    t = await bootRunnerApp({ ...ENV, RUNNER_LEASE_MS: '20000', TICK_TIMEOUT_MS: '15000' });
    await parkAllPersonas(t);
  });
  afterAll(async () => {
    for (const c of children)
      if (c.child.exitCode === null && c.child.signalCode === null) c.child.kill('SIGKILL');
    await parkAllPersonas(t);
    await t.close();
  });

  (embeddedDb() ? it.skip : it)(
    `should tick each of ${PERSONAS} due personas exactly once per window between the in-process runner and two runner:remote processes (needs DATABASE_URL: skipped on the embedded one-connection database)`,
    async () => {
      const personas = [];
      for (let i = 0; i < PERSONAS; i += 1) {
        personas.push(await createPersona(t, runnerPersona({ moduleMix: { todo: 1, notes: 1 } })));
      }
      const ids = personas.map((p) => p.userId);
      const ticksPerPersona = async (since: Date) =>
        (await t.dataSource.query(
          `SELECT p.id AS persona_id, count(k.id)::int AS n, count(k.id) FILTER (WHERE k.status = 'ok')::int AS ok
             FROM unnest($1::uuid[]) AS p(id)
             LEFT JOIN persona_ticks k ON k.persona_id = p.id AND k.started_at >= $2
            GROUP BY p.id`,
          [ids, since],
        )) as Array<{ persona_id: string; n: number; ok: number }>;

      for (let window = 0; window < WINDOWS; window += 1) {
        const [{ now: since }] = await t.dataSource.query(`SELECT now() AS now`);
        // force the window: every test persona due now, nothing else
        await t.dataSource.query(
          `UPDATE personas SET next_due_at = now() - interval '1 second' WHERE user_id = ANY($1::uuid[])`,
          [ids],
        );
        const remotes = [startRemote(t, ['--once']), startRemote(t, ['--once'])];
        children.push(...remotes);
        // let the remote runners start claiming, then the in-process runner joins the race
        await waitFor(
          'a remote runner to claim',
          async () => (await ticksPerPersona(since)).some((r) => r.n > 0),
          EXIT_WITHIN_MS,
          20,
        );
        const inProcess = await runner(t).runDue();
        const exits = await Promise.all(remotes.map((c) => exitOf(c)));
        expect(exits).toEqual([
          { code: 0, signal: null },
          { code: 0, signal: null },
        ]);

        const counts = await ticksPerPersona(since);
        expect(counts.filter((r) => r.n !== 1)).toEqual([]);
        const failed = await t.dataSource.query(
          `SELECT status, error, rating_error FROM persona_ticks
            WHERE persona_id = ANY($1::uuid[]) AND started_at >= $2 AND status <> 'ok'`,
          [ids, since],
        );
        expect({ failed, output: failed.length > 0 ? remotes.map((c) => c.output()) : [] }).toEqual({
          failed: [],
          output: [],
        });
        const remoteTicks = remotes.map(summaryOf);
        const byRemote = remoteTicks.reduce((sum, s) => sum + s.ticks, 0);
        expect(byRemote).toBeGreaterThan(0);
        expect(byRemote + inProcess.ticks).toBe(PERSONAS);
        expect(remoteTicks.every((s) => s.failed === 0)).toBe(true);
        process.stdout.write(
          `window ${window + 1}: remote ${remoteTicks.map((s) => s.ticks).join('+')}, in-process ${inProcess.ticks}\n`,
        );
        // every lease was released, and the remote ticks left real audit rows
        const leased = await t.dataSource.query(
          `SELECT count(*)::int AS n FROM personas WHERE user_id = ANY($1::uuid[]) AND lease_token IS NOT NULL`,
          [ids],
        );
        expect(leased[0].n).toBe(0);
        const actions = await t.dataSource.query(
          `SELECT count(*)::int AS n FROM persona_actions a JOIN persona_ticks k ON k.id = a.tick_id
            WHERE k.persona_id = ANY($1::uuid[]) AND k.started_at >= $2`,
          [ids, since],
        );
        expect(actions[0].n).toBeGreaterThanOrEqual(PERSONAS);
      }
    },
    WINDOWS * 2 * EXIT_WITHIN_MS,
  );

  it('should stop on SIGTERM with exit 0 and leave no lease behind', async () => {
    const c = startRemote(t, ['--poll-ms=200'], { LOG_LEVEL: 'info' });
    children.push(c);
    // it runs (an empty round, then polling) until told to stop
    await waitFor(
      'the remote runner to start polling',
      async () => c.output().includes('polling') || undefined,
      30_000,
    );
    expect(c.child.exitCode).toBeNull();
    c.child.kill('SIGTERM');
    expect(await exitOf(c, 20_000)).toEqual({ code: 0, signal: null });
    expect(summaryOf(c)).toMatchObject({ failed: 0 });
    const leased = await t.dataSource.query(
      `SELECT count(*)::int AS n FROM personas WHERE lease_owner LIKE 'runner-remote:%'`,
    );
    expect(leased[0].n).toBe(0);
  }, 60_000);

  it('should refuse to start without MANA_SERVICE_KEY, naming it', async () => {
    const c = startRemote({ ...t, config: { ...t.config, serviceKey: '' } } as TestApp, ['--once']);
    children.push(c);
    const exit = await exitOf(c, 20_000);
    expect(exit.code).toBe(1);
    expect(c.output()).toContain('MANA_SERVICE_KEY');
  }, 30_000);
});
