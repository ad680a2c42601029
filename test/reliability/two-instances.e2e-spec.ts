import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { isWeekend } from '../../src/personas/schedule/due-rules.js';
import { loadCatalog } from '../../src/personas/catalog/catalog.js';
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

const WINDOWS = 3;
const catalog = loadCatalog();
const emails = catalog.personas.map((p) => p.email);

// The point is two processes on one database: the embedded database serves one process only (its
// data directory is locked), so there is nothing to race. CI always sets DATABASE_URL.
const describeOnPostgres = embeddedDb() ? describe.skip : describe;

describeOnPostgres(
  'two server instances started at once on a fresh PostgreSQL database (skipped on the embedded database)',
  () => {
    const servers: ServerProcess[] = [];
    const dirs: string[] = [];
    let db: Awaited<ReturnType<typeof throwawayDatabase>> | undefined;

    afterAll(async () => {
      killAll(servers);
      await Promise.all(servers.map((s) => s.exited));
      await db?.drop();
      for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
    });

    /** Per persona: how many ticks it has (finished or not) and whether any is still running. */
    const tickCounts = async (): Promise<Map<string, { ticks: number; running: number }>> => {
      const rows = await db!.query(
        `SELECT u.email, count(k.id)::int AS ticks, count(k.id) FILTER (WHERE k.status = 'running')::int AS running
         FROM users u JOIN personas p ON p.user_id = u.id LEFT JOIN persona_ticks k ON k.persona_id = p.user_id
        WHERE u.email = ANY($1) GROUP BY u.email`,
        [emails],
      );
      return new Map(rows.map((r: { email: string; ticks: number; running: number }) => [r.email, r]));
    };
    const leasesHeld = async (): Promise<number> =>
      (await db!.query(`SELECT count(*)::int AS n FROM personas WHERE lease_token IS NOT NULL`))[0].n;

    /** No tick running, no lease held, and the same tick counts twice in a row across a few firings. */
    const settled = async (): Promise<Map<string, { ticks: number; running: number }>> => {
      let last = '';
      return waitFor(
        'the ticks to settle',
        async () => {
          const counts = await tickCounts();
          const running = [...counts.values()].some((c) => c.running > 0);
          const now = JSON.stringify([...counts.entries()].sort());
          const stable = !running && (await leasesHeld()) === 0 && now === last;
          last = now;
          if (stable) return counts;
          await new Promise((r) => setTimeout(r, 1500));
          return undefined;
        },
        90_000,
        0,
      );
    };

    it(
      'should both boot (migrations, one admin, one catalog) and tick each persona exactly once per due window',
      async () => {
        db = await throwawayDatabase('mana_two');
        const secrets = replicaSecrets();
        const env = (dataDir: string) => ({
          // development: the first-boot admin and demo seeding are the paths that raced
          NODE_ENV: 'development',
          DATABASE_URL: db!.url,
          DATA_DIR: dataDir,
          ...secrets,
          RUNNER_ENABLED: 'true',
          RUNNER_DEMO: 'true',
          RUNNER_CRON: '* * * * * *',
          PERSONA_BRAIN: 'scripted',
          PERSONA_CONCURRENCY: '2',
          TICK_MAX_TURNS: '3',
        });
        const ports = [await freePort(), await freePort()];
        for (const port of ports) {
          const dir = mkdtempSync(join(tmpdir(), 'mana-replica-'));
          dirs.push(dir);
          servers.push(startServer(env(dir), port));
        }
        const readyMs = await Promise.all(servers.map((s) => waitReady(s)));
        process.stdout.write(`two replicas ready in ${readyMs.join(' / ')} ms\n`);
        for (const s of servers) expect((await fetch(`${s.url}/health/ready`)).status).toBe(200);
        // same secrets, one PostgreSQL: /health promises what the instances share, and names no gap
        for (const s of servers) {
          const health = (await (await fetch(`${s.url}/health`)).json()) as {
            info: { instances: { scope: string; shared: string[]; instanceLocal: string[] } };
          };
          expect(health.info.instances.scope).toBe('shared');
          expect(health.info.instances.shared.join('\n')).toMatch(/any instance serves a session/);
          expect(health.info.instances.instanceLocal).toEqual([
            '/metrics counts this process only: scrape every instance',
          ]);
        }

        // one admin, announced by exactly one of the two (last in its boot output, after the seeding)
        expect((await db.query(`SELECT email FROM users WHERE role = 'admin'`)).map((r) => r.email)).toEqual([
          'admin@mana.local',
        ]);
        await waitFor(
          'the first admin line',
          async () => servers.some((s) => /first admin created/.test(s.output())),
          45_000,
        );
        const banners = servers.filter((s) => /first admin created/.test(s.output()));
        expect(banners).toHaveLength(1);
        for (const s of servers) expect(s.output()).not.toMatch(/could not start|already exists/);

        // one set of catalog personas and shared spaces (wait: seeding runs once the servers listen)
        const members = catalog.spaces.reduce((sum, s) => sum + 1 + s.members.length, 0);
        await waitFor(
          'the catalog (personas, then shared spaces and their members) to be seeded',
          async () =>
            (
              await db!.query(
                `SELECT count(*)::int AS n FROM space_members m JOIN spaces s ON s.id = m.space_id
                WHERE s.type <> 'personal'`,
              )
            )[0].n >= members,
          READY_WITHIN_MS,
        );
        const users = await db.query(
          `SELECT lower(email) AS email, count(*)::int AS n FROM users GROUP BY 1`,
        );
        expect(users.every((r: { n: number }) => r.n === 1)).toBe(true);
        expect(await db.query(`SELECT count(*)::int AS n FROM personas`)).toEqual([{ n: emails.length }]);
        for (const space of catalog.spaces) {
          const rows = await db.query(`SELECT id FROM spaces WHERE name = $1 AND type = $2`, [
            space.name,
            space.type,
          ]);
          expect({ space: space.name, count: rows.length }).toEqual({ space: space.name, count: 1 });
          const members = await db.query(`SELECT count(*)::int AS n FROM space_members WHERE space_id = $1`, [
            rows[0].id,
          ]);
          expect(members[0].n).toBe(1 + space.members.length);
        }

        const due = catalog.personas
          .filter((p) => p.tickCadence !== 'weekdays' || !isWeekend(new Date(), p.timezone))
          .map((p) => p.email);
        let before = await settled();
        for (let window = 1; window <= WINDOWS; window += 1) {
          // force a due window: every catalog persona is due now, on both instances' next firing
          await db.query(
            `UPDATE personas SET next_due_at = now() - interval '1 second'
             WHERE user_id IN (SELECT id FROM users WHERE email = ANY($1))`,
            [emails],
          );
          await waitFor(
            `every due persona to tick in window ${window}`,
            async () => {
              const counts = await tickCounts();
              return due.every((e) => (counts.get(e)?.ticks ?? 0) > (before.get(e)?.ticks ?? 0));
            },
            90_000,
            200,
          );
          const after = await settled();
          const extra = due
            .map((e) => ({ email: e, ticks: (after.get(e)?.ticks ?? 0) - (before.get(e)?.ticks ?? 0) }))
            .filter((d) => d.ticks !== 1);
          expect({ window, extra }).toEqual({ window, extra: [] });
          before = after;
        }

        // both replicas serve, then stop cleanly
        for (const s of servers) expect((await fetch(`${s.url}/health/ready`)).status).toBe(200);
        const exits = await Promise.all(servers.map((s) => stopServer(s)));
        expect(exits).toEqual([
          { code: 0, signal: null },
          { code: 0, signal: null },
        ]);
      },
      6 * READY_WITHIN_MS,
    );
  },
);
