import { readFileSync } from 'node:fs';
import { SchedulerRegistry } from '@nestjs/schedule';
import pg from 'pg';
import { isWeekend } from '../../src/personas/schedule/due-rules.js';
import { RunnerScheduler, RUNNER_JOB } from '../../src/runner/runner.scheduler.js';
import { RunnerService } from '../../src/runner/runner.service.js';
import { FakeAnthropic, hang, message, toolUse } from '../support/fake-anthropic.js';
import { createPersona } from '../support/personas.js';
import { waitFor } from '../support/wait-for.js';
import { bootRunnerApp, runnerPersona } from './runner.fixtures.js';

/** Straight to the suite's database, for when no app is running (or the app under test is closing). */
async function withDb<T>(work: (client: pg.Client) => Promise<T>): Promise<T> {
  // the embedded database takes one connection at a time: right after an app closes, its
  // connection may still be going away, so try again for a moment
  let client!: pg.Client;
  for (let attempt = 1; ; attempt += 1) {
    client = new pg.Client({ connectionString: process.env.DATABASE_URL });
    try {
      await client.connect();
      break;
    } catch (error) {
      await client.end().catch(() => undefined);
      if (attempt >= 20) throw error;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

/** Takes personas out of the queue before an app boots (a no-op on a database not migrated yet). */
async function parkBeforeBoot(keepDue: string[] = []): Promise<void> {
  await withDb(async (db) => {
    const { rows } = await db.query(`SELECT to_regclass('personas') IS NOT NULL AS ready`);
    if (!rows[0].ready) return;
    await db.query(
      `UPDATE personas p SET next_due_at = CASE WHEN u.email = ANY($1::text[]) THEN NULL ELSE now() + interval '3650 days' END,
              lease_owner = NULL, lease_expires_at = NULL, lease_token = NULL
         FROM users u WHERE u.id = p.user_id`,
      [keepDue],
    );
  });
}

const catalog = JSON.parse(readFileSync('catalog/personas.json', 'utf8')) as {
  personas: Array<{ email: string; tickCadence: string; timezone: string }>;
};

describe(RunnerScheduler.name, () => {
  it('should seed the catalog in demo mode and tick the personas on the schedule right after boot', async () => {
    const emails = catalog.personas.map((p) => p.email);
    // only the catalog personas are due (other test files leave personas behind in this database)
    await parkBeforeBoot(emails);
    const t = await bootRunnerApp({
      RUNNER_ENABLED: 'true',
      RUNNER_DEMO: 'true',
      RUNNER_CRON: '*/2 * * * * *',
      PERSONA_BRAIN: 'scripted',
      PERSONA_CONCURRENCY: '4',
      TICK_MAX_TURNS: '4',
    });
    try {
      expect(t.app.get(SchedulerRegistry).doesExist('cron', RUNNER_JOB)).toBe(true);
      const dueToday = catalog.personas.filter(
        (p) => p.tickCadence !== 'weekdays' || !isWeekend(new Date(), p.timezone),
      );
      const ticked = await waitFor(
        'every catalog persona due today to tick',
        async () => {
          const rows = await t.dataSource.query(
            `SELECT u.email, k.status FROM persona_ticks k JOIN users u ON u.id = k.persona_id
              WHERE u.email = ANY($1::text[]) AND k.status <> 'running'`,
            [emails],
          );
          const done = new Set(rows.map((r: { email: string }) => r.email));
          // the run that played the last tick records its summary once all its ticks are settled
          const summarised = t.app.get(RunnerService).state().lastRunSummary !== null;
          return summarised && dueToday.every((p) => done.has(p.email)) ? rows : undefined;
        },
        40_000,
      );
      expect(ticked.every((r: { status: string }) => r.status === 'ok')).toBe(true);
      const state = t.app.get(RunnerService).state();
      expect(state.enabled).toBe(true);
      // a later scheduled run may have found nobody due (0 ticks): the state shows a run, not which
      expect(state.lastRunAt).toEqual(expect.any(String));
      expect(state.lastRunSummary?.ticks).toEqual(expect.any(Number));
    } finally {
      await t.close();
    }
  });

  it('should not schedule anything when RUNNER_ENABLED is false', async () => {
    const t = await bootRunnerApp({ RUNNER_ENABLED: 'false' });
    try {
      expect(t.app.get(SchedulerRegistry).doesExist('cron', RUNNER_JOB)).toBe(false);
    } finally {
      await t.close();
    }
  });
});

describe(`${RunnerService.name} shutdown`, () => {
  it('should stop claiming, abort ticks still running after the grace period, mark them aborted and release their leases', async () => {
    await parkBeforeBoot();
    const fake = await FakeAnthropic.start();
    const grace = 400;
    const t = await bootRunnerApp({
      PERSONA_BRAIN: 'anthropic',
      ANTHROPIC_API_KEY: 'sk-ant-test',
      ANTHROPIC_BASE_URL: fake.url,
      ANTHROPIC_MODEL: 'claude-test-model',
      TICK_TIMEOUT_MS: '30000',
      RUNNER_SHUTDOWN_GRACE_MS: String(grace),
    }).catch(async (error: unknown) => {
      await fake.close();
      throw error;
    });
    let closed = false;
    try {
      const persona = await createPersona(t, runnerPersona());
      fake.script(message([toolUse('todo_list', {})]), hang());
      const run = t.app.get(RunnerService).runDue();
      await waitFor('the tick to be in flight', async () => fake.messageRequests().length === 2);

      const started = Date.now();
      await t.close();
      closed = true;
      expect(Date.now() - started).toBeLessThan(grace + 5000);
      const summary = await run;
      expect(summary.results).toHaveLength(1);
      expect(summary.results[0]).toMatchObject({ status: 'aborted', toolCalls: 1 });
      expect(summary.results[0].error).toContain(`runner shutting down (grace period of ${grace} ms over)`);

      const [tick] = (
        await withDb((db) => db.query(`SELECT * FROM persona_ticks WHERE persona_id = $1`, [persona.userId]))
      ).rows;
      expect(tick.status).toBe('aborted');
      expect(tick.error).toContain('runner shutting down');
      expect(tick.finished_at).not.toBeNull();
      const [row] = (
        await withDb((db) => db.query(`SELECT * FROM personas WHERE user_id = $1`, [persona.userId]))
      ).rows;
      expect(row).toMatchObject({
        lease_owner: null,
        lease_token: null,
        consecutive_failures: 0,
        next_due_at: null,
      });
    } finally {
      if (!closed) await t.close();
      await fake.close();
    }
  });
});
