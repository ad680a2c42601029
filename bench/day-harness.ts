/**
 * One booted app and its seeded catalog personas, ready to play the same simulated day again and
 * again: what `node dist/bench/mutation-day.js` plays once per process, and what the `mana-day`
 * Stryker test runner (stryker.config.mjs) plays once per mutant in one process, switching mutants
 * in between (the instrumented code reads the active mutant at every call).
 *
 * `open` starts a fresh database (the embedded Postgres in a temp dir, copied from the install's
 * initialised cluster, or a dedicated database on DATABASE_URL's server), boots the app (runner not
 * scheduled, scripted brain, no fault planted) and seeds the 10 catalog personas. `play` plays the
 * day (bench/simulated-day.ts) and counts the app findings; `reset` clears what it left (module
 * tables, ticks, calls, ratings, findings, schedules), so the next day replays from the same start.
 */
import { performance } from 'node:perf_hooks';
import { DataSource } from 'typeorm';
import { PgliteTemplate } from '../src/database/pglite-template.js';
import type { RunnerService } from '../src/runner/runner.service.js';
import type { BenchApp, BenchDatabase } from './bench-support.js';
import { benchDatabase, bootBenchApp, round } from './bench-support.js';
import { clearDay, daySchedule, hourlyRunners, playJobs, seedCatalogPersonas } from './simulated-day.js';
import type { DayJob, DayTally } from './simulated-day.js';

/** A failure that is the harness's, not the app's: the database would not start, say. */
export class SetupError extends Error {}

/** The app findings of one (module, tool, class, check), as the day reported them. */
export interface MutationDayFinding {
  module: string;
  tool: string;
  class: string;
  check: string;
  source: string;
  count: number;
  expected: string;
  got: string;
}

/** What one played day came to. */
export interface DayOutcome extends DayTally {
  appFindings: number;
  findings: MutationDayFinding[];
  /** Calls of each tool in the day (what the personas exercised; a mutant elsewhere cannot be met). */
  callsByTool: Record<string, number>;
  /** The day stopped at the first tick with an app finding or a failure. */
  stoppedEarly: boolean;
  seconds: number;
}

export interface DayHarnessOptions {
  hours: number;
  /** Ticks at a time (1: the day replays exactly). */
  concurrency: number;
  /** Names the database and the runners. */
  label: string;
}

export class DayHarness {
  private constructor(
    private readonly db: BenchDatabase,
    private readonly bench: BenchApp,
    private readonly jobs: DayJob[],
    private readonly runners: RunnerService[],
    private readonly concurrency: number,
    /** Seconds from `open` to personas seeded. */
    readonly bootSeconds: number,
  ) {}

  get personaSeed(): string {
    return this.bench.config.personaSeed;
  }

  /** `onDatabase` sees the database as soon as it exists (to drop it when the process must end early). */
  static async open(
    options: DayHarnessOptions,
    onDatabase?: (db: BenchDatabase) => void,
  ): Promise<DayHarness> {
    const started = performance.now();
    let db: BenchDatabase;
    try {
      // an embedded start copies the install's initialised cluster instead of running initdb (~4 s);
      // `npm ci` makes it, this makes it where the install did not
      if (!process.env.DATABASE_URL) await new PgliteTemplate().ensure();
      db = await benchDatabase(`${options.label.replace(/[^a-z0-9]+/gi, '_')}_${process.pid}`, {
        describe: {
          embedded: 'embedded (PGlite in a temp dir)',
          server: 'PostgreSQL (dedicated database on DATABASE_URL’s server)',
        },
      });
    } catch (error) {
      throw new SetupError(`the database could not be set up: ${describe(error)}`);
    }
    onDatabase?.(db);
    try {
      const bench = await bootBenchApp(db, {
        PERSONA_BRAIN: 'scripted',
        TOOL_RATE_LIMIT: '1000000',
        FAULTS_ENABLED: 'false',
        FAULTS: '[]',
        // mutant days run side by side on two cores: a few hundred ms of pause is the machine's, and a
        // mutant must not be "killed" by it
        FINDING_SLOW_RELATIVE_MS: process.env.FINDING_SLOW_RELATIVE_MS ?? '1000',
        LOG_LEVEL: process.env.BENCH_LOG_LEVEL ?? 'error',
      });
      try {
        const personas = await seedCatalogPersonas(bench.app);
        const jobs = daySchedule(personas, options.hours);
        const runners = hourlyRunners(bench, options.hours, options.concurrency, options.label);
        const bootSeconds = round((performance.now() - started) / 1000, 1);
        return new DayHarness(db, bench, jobs, runners, options.concurrency, bootSeconds);
      } catch (error) {
        await bench.close();
        throw error;
      }
    } catch (error) {
      await db.drop().catch(() => undefined);
      throw error;
    }
  }

  /** Plays the day; with `stopEarly`, only until the first tick that gives an app finding or fails. */
  async play(stopEarly: boolean): Promise<DayOutcome> {
    const started = performance.now();
    let stoppedEarly = false;
    const tally = await playJobs(this.jobs, this.runners, this.concurrency, async (summary) => {
      if (!stopEarly) return false;
      const stop =
        summary.status !== 'ok' || (summary.tickId ? (await this.findingsOfTick(summary.tickId)) > 0 : false);
      if (stop) stoppedEarly = true;
      return stop;
    });
    const findings = await this.appFindings();
    return {
      ...tally,
      findings,
      appFindings: findings.reduce((s, f) => s + f.count, 0),
      callsByTool: await this.callsByTool(),
      stoppedEarly,
      seconds: round((performance.now() - started) / 1000, 1),
    };
  }

  /** Clears what the day left: the next `play` replays it from the same start. */
  reset(): Promise<void> {
    return clearDay(this.bench.app);
  }

  async close(): Promise<void> {
    try {
      await this.bench.close();
    } finally {
      await this.db.drop();
    }
  }

  private async findingsOfTick(tickId: string): Promise<number> {
    const [row] = (await this.bench.app.get(DataSource).query(
      `SELECT count(*)::int AS n FROM persona_findings
        WHERE tick_id = $1 AND NOT persona_mistake AND source <> 'llm'`,
      [tickId],
    )) as Array<{ n: number }>;
    return row.n;
  }

  private async appFindings(): Promise<MutationDayFinding[]> {
    // Shape: one row per (module, tool, class, check, source) of the day's app findings, the first
    // expected/got as an example. The table is small (one day of 10 personas).
    return (await this.bench.app.get(DataSource).query(
      `SELECT module, tool, class, check_name AS "check", source, count(*)::int AS count,
              min(expected) AS expected, min(got) AS got
         FROM persona_findings
        WHERE NOT persona_mistake AND source <> 'llm'
        GROUP BY module, tool, class, check_name, source
        ORDER BY count(*) DESC, module, tool, class, check_name`,
    )) as MutationDayFinding[];
  }

  private async callsByTool(): Promise<Record<string, number>> {
    const rows = (await this.bench.app
      .get(DataSource)
      .query(
        `SELECT tool_name AS tool, count(*)::int AS n FROM persona_actions GROUP BY tool_name ORDER BY tool_name`,
      )) as Array<{ tool: string; n: number }>;
    return Object.fromEntries(rows.map((r) => [r.tool, r.n]));
  }
}

export const describe = (error: unknown): string =>
  error instanceof Error ? (error.stack ?? error.message) : String(error);
