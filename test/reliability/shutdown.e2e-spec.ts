import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { FakeAnthropic, message, text, toolUse } from '../support/fake-anthropic.js';
import type { FakeReply } from '../support/fake-anthropic.js';
import { embeddedDb, freePort } from '../support/test-app.js';
import {
  READY_WITHIN_MS,
  killAll,
  replicaSecrets,
  startServer,
  stopServer,
  throwawayDatabase,
  waitReady,
} from '../support/server-process.js';
import type { ServerProcess } from '../support/server-process.js';
import { waitFor } from '../support/wait-for.js';

const GRACE_MS = 1500;
/** Exit within the grace period plus this (boot-loaded CI box: closing pools, the embedded database). */
const EXIT_MARGIN_MS = 10_000;
/** How long the fake Messages API takes per answer: ticks are always in the middle of something. */
const LLM_DELAY_MS = 400;

type Rows = (sql: string, params?: unknown[]) => Promise<any[]>;

/** A slow model that keeps calling a real tool, turn after turn, and never gets to the rating turn. */
function slowToolUser(fake: FakeAnthropic): void {
  fake.fallback = (): FakeReply => ({
    kind: 'held',
    until: sleep(LLM_DELAY_MS).then(() => message([text('let me look'), toolUse('todo_list', {})])),
  });
}

/**
 * Where a deployment's data lives: a throwaway PostgreSQL database (readable while the servers run),
 * or, without DATABASE_URL, the server's own embedded database under its DATA_DIR (read with PGlite
 * once the server has exited, since the embedded database serves its own process only).
 */
async function deployment(dataDir: string): Promise<{
  env: Record<string, string>;
  live?: Rows;
  afterExit(): Promise<{ query: Rows; close(): Promise<void> }>;
  drop(): Promise<void>;
}> {
  if (embeddedDb()) {
    return {
      env: { DATA_DIR: dataDir },
      async afterExit() {
        const { PGlite } = await import('@electric-sql/pglite');
        const db = await PGlite.create(join(dataDir, 'pgdata'));
        return {
          query: async (sql, params) => (await db.query(sql, params as unknown[])).rows as any[],
          close: () => db.close(),
        };
      },
      drop: async () => undefined,
    };
  }
  const db = await throwawayDatabase('mana_shutdown');
  return {
    env: { DATABASE_URL: db.url, DATA_DIR: dataDir },
    live: db.query,
    afterExit: async () => ({ query: db.query, close: async () => undefined }),
    drop: () => db.drop(),
  };
}

function serverEnv(base: Record<string, string>, fake: FakeAnthropic, secrets: Record<string, string>) {
  return {
    NODE_ENV: 'development',
    ...secrets,
    ...base,
    RUNNER_ENABLED: 'true',
    // demo mode: the catalog is seeded and the first firing starts right after boot
    RUNNER_DEMO: 'true',
    RUNNER_CRON: '* * * * * *',
    PERSONA_BRAIN: 'anthropic',
    ANTHROPIC_API_KEY: 'sk-ant-test',
    ANTHROPIC_BASE_URL: fake.url,
    ANTHROPIC_MODEL: 'claude-test-model',
    ANTHROPIC_MAX_RETRIES: '0',
    PERSONA_CONCURRENCY: '3',
    RUNNER_SHUTDOWN_GRACE_MS: String(GRACE_MS),
  };
}

describe('server process shutdown', () => {
  const servers: ServerProcess[] = [];
  const dirs: string[] = [];
  const fakes: FakeAnthropic[] = [];
  const drops: Array<() => Promise<void>> = [];

  afterAll(async () => {
    killAll(servers);
    await Promise.all(servers.map((s) => s.exited));
    for (const fake of fakes) await fake.close();
    for (const drop of drops) await drop();
    for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
  });

  const tempDir = () => {
    const dir = mkdtempSync(join(tmpdir(), 'mana-shutdown-'));
    dirs.push(dir);
    return dir;
  };

  it(
    'should on SIGTERM stop claiming, abort the ticks still running after the grace period, write no audit row or rating for it, free the leases and exit 0',
    async () => {
      const fake = await FakeAnthropic.start();
      fakes.push(fake);
      slowToolUser(fake);
      const dataDir = tempDir();
      const where = await deployment(dataDir);
      drops.push(() => where.drop());
      const server = startServer(serverEnv(where.env, fake, replicaSecrets()), await freePort());
      servers.push(server);
      await waitReady(server);

      // three ticks in flight, each past a few recorded tool calls (one LLM answer per call)
      await waitFor('ticks to be in flight', async () => fake.messageRequests().length >= 9, 60_000);
      const signalledAt = new Date();
      const exit = await stopServer(server, 'SIGTERM', GRACE_MS + EXIT_MARGIN_MS);
      const tookMs = Date.now() - signalledAt.getTime();
      process.stdout.write(`SIGTERM → exit in ${tookMs} ms (grace ${GRACE_MS} ms)\n`);
      expect(exit).toEqual({ code: 0, signal: null });
      expect(tookMs).toBeLessThan(GRACE_MS + EXIT_MARGIN_MS);

      const db = await where.afterExit();
      try {
        const ticks = await db.query(`SELECT status, error, finished_at FROM persona_ticks`);
        expect(ticks.length).toBeGreaterThanOrEqual(3);
        for (const tick of ticks) expect(['aborted', 'ok']).toContain(tick.status);
        const aborted = ticks.filter((t: { status: string }) => t.status === 'aborted');
        expect(aborted.length).toBeGreaterThanOrEqual(1);
        for (const tick of aborted) {
          expect(tick.error).toContain(`runner shutting down (grace period of ${GRACE_MS} ms over)`);
          expect(tick.finished_at).not.toBeNull();
        }
        // the calls before the signal are all there; nothing the shutdown caused is
        const actions = await db.query(
          `SELECT result, error_kind, created_at FROM persona_actions ORDER BY created_at`,
        );
        expect(actions.length).toBeGreaterThanOrEqual(3);
        expect(actions.filter((a: { error_kind: string | null }) => a.error_kind === 'protocol')).toEqual([]);
        expect(
          actions.filter(
            (a: { result: string; created_at: Date }) =>
              a.result === 'error' && new Date(a.created_at) >= signalledAt,
          ),
        ).toEqual([]);
        const findings = await db.query(
          `SELECT class, check_name, got FROM persona_findings WHERE created_at >= $1`,
          [signalledAt.toISOString()],
        );
        expect(findings).toEqual([]);
        expect(await db.query(`SELECT count(*)::int AS n FROM persona_feedback`)).toEqual([{ n: 0 }]);
        // every lease released, every persona kept its place in the queue
        expect(
          await db.query(
            `SELECT count(*)::int AS n FROM personas
              WHERE lease_owner IS NOT NULL OR lease_token IS NOT NULL OR lease_expires_at IS NOT NULL`,
          ),
        ).toEqual([{ n: 0 }]);
      } finally {
        await db.close();
      }
    },
    READY_WITHIN_MS + 120_000,
  );

  // SIGKILL leaves the lease behind: only a second instance on the same database can show the
  // takeover, and the embedded database serves one process, so this runs on PostgreSQL (CI).
  (embeddedDb() ? it.skip : it)(
    'should keep the actions of a tick cut by SIGKILL and let another instance reclaim the persona once the lease expired (PostgreSQL only)',
    async () => {
      const fake = await FakeAnthropic.start();
      fakes.push(fake);
      slowToolUser(fake);
      const where = await deployment(tempDir());
      drops.push(() => where.drop());
      const live = where.live!;
      const secrets = replicaSecrets();
      // a short lease, so the takeover comes within seconds (it must outlast the tick timeout)
      const short = { TICK_TIMEOUT_MS: '4000', RUNNER_LEASE_MS: '6000' };
      const first = startServer(
        { ...serverEnv(where.env, fake, secrets), ...short, PERSONA_CONCURRENCY: '1' },
        await freePort(),
      );
      servers.push(first);
      await waitReady(first);

      const cut = await waitFor(
        'a tick with recorded calls',
        async () => {
          const rows = await live(
            `SELECT k.id, k.persona_id, count(a.id)::int AS actions
               FROM persona_ticks k JOIN persona_actions a ON a.tick_id = k.id
              WHERE k.status = 'running' GROUP BY k.id, k.persona_id HAVING count(a.id) >= 2`,
          );
          return rows[0] as { id: string; persona_id: string; actions: number } | undefined;
        },
        60_000,
        100,
      );
      first.child.kill('SIGKILL');
      expect(await first.exited).toEqual({ code: null, signal: 'SIGKILL' });
      const [lease] = await live(`SELECT lease_token, lease_expires_at FROM personas WHERE user_id = $1`, [
        cut.persona_id,
      ]);
      expect(lease.lease_token).not.toBeNull();
      const kept = await live(`SELECT count(*)::int AS n FROM persona_actions WHERE tick_id = $1`, [cut.id]);
      expect(kept[0].n).toBeGreaterThanOrEqual(cut.actions);

      // a second instance on the same database: it reclaims the persona, but not before the lease ends
      const second = startServer({ ...serverEnv(where.env, fake, secrets), ...short }, await freePort());
      servers.push(second);
      await waitReady(second);
      const next = await waitFor(
        'the persona to be reclaimed by the second instance',
        async () =>
          (
            await live(
              `SELECT id, started_at FROM persona_ticks WHERE persona_id = $1 AND id <> $2 ORDER BY started_at`,
              [cut.persona_id, cut.id],
            )
          )[0] as { id: string; started_at: Date } | undefined,
        60_000,
        200,
      );
      expect(new Date(next.started_at).getTime()).toBeGreaterThanOrEqual(
        new Date(lease.lease_expires_at).getTime(),
      );
      // the cut tick's audit rows are still there, untouched by the takeover
      expect(
        (await live(`SELECT count(*)::int AS n FROM persona_actions WHERE tick_id = $1`, [cut.id]))[0].n,
      ).toBe(kept[0].n);

      const exit = await stopServer(second, 'SIGTERM', GRACE_MS + EXIT_MARGIN_MS);
      expect(exit).toEqual({ code: 0, signal: null });
      expect(
        await live(`SELECT count(*)::int AS n FROM persona_ticks WHERE status = 'running' AND id <> $1`, [
          cut.id,
        ]),
      ).toEqual([{ n: 0 }]);
    },
    2 * READY_WITHIN_MS + 120_000,
  );
});
