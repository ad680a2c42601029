/**
 * The test bench:mutation runs against each mutant: one simulated day of the catalog personas, and
 * the exit code says whether they found something wrong.
 *
 *   node dist/bench/mutation-day.js                      (what Stryker's command runner runs)
 *   MUTATION_DAY_HOURS=6 node dist/bench/mutation-day.js (a longer day)
 *
 * Boots the app in-process (createApp, migrations at boot; runner not scheduled, scripted brain, no
 * fault planted) on a fresh database: the embedded Postgres (PGlite) in a temp dir, or with
 * DATABASE_URL a dedicated database on that server, dropped at the end. Seeds the 10 catalog
 * personas and plays a day of MUTATION_DAY_HOURS hours (bench/simulated-day.ts: hourly personas tick
 * each hour, the others once). Then counts the app findings: rows of persona_findings that are not
 * the persona's own mistake and not an LLM's opinion (source `llm`), and prints them by tool, check
 * and class.
 *
 * Stryker sets __STRYKER_ACTIVE_MUTANT__ in this process's environment; the instrumented app code
 * reads it when it loads, here, in the same process. The script checks that the app it booted is
 * the instrumented one whenever it runs under Stryker.
 *
 * Exit codes (Stryker's command runner counts any non-zero exit as "killed"):
 *   0  the day ended with every tick ok and no app finding;
 *   1  at least one app finding, or the app failed on its own: boot, migrations, seeding or a tick
 *      threw, a tick ended failed (the persona's day broke off), or the day outlasted MUTATION_DAY_TIMEOUT_MS — a user would meet all of these;
 *   2  the harness could not set up, which is not the app's fault: the database would not start or
 *      could not be created, a bad MUTATION_DAY_* value, or the app's code is not instrumented
 *      under Stryker (the sandbox build did not compile the mutated sources).
 *
 * The day stops at the first tick that gives an app finding or fails (one is enough to kill the
 * mutant; the rest of the day would only cost time); MUTATION_DAY_FULL=true plays it to the end.
 *
 * Environment: MUTATION_DAY_HOURS (default 3, 1–24), MUTATION_DAY_FULL (default false), MUTATION_DAY_CONCURRENCY (ticks at a time,
 * default 1: the day replays exactly), MUTATION_DAY_TIMEOUT_MS (default 120000), PERSONA_SEED,
 * DATABASE_URL, BENCH_LOG_LEVEL (default error), MUTATION_DAY_JSON (a path: the figures are also
 * written there as JSON; bench:mutation reads its clean day from it).
 */
import { rmSync, writeFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import type { BenchDatabase } from './bench-support.js';
import { intEnv, round, say } from './bench-support.js';
import { DayHarness, SetupError, describe } from './day-harness.js';
import type { MutationDayFinding } from './day-harness.js';

export type { MutationDayFinding } from './day-harness.js';

const EXIT_CLEAN = 0;
const EXIT_FOUND = 1;
const EXIT_SETUP = 2;
const PRINTED_FINDINGS = 12;

/** What MUTATION_DAY_JSON receives. */
export interface MutationDayResult {
  mutant: string | null;
  hours: number;
  personaSeed: string | null;
  ticks: number;
  failedTicks: number;
  /** Why ticks failed (a tick that fails is the app failing: the persona's day broke off). */
  tickErrors: string[];
  toolCalls: number;
  appFindings: number;
  findings: MutationDayFinding[];
  /** Calls of each tool in the day (what the personas exercised; a mutant elsewhere cannot be met). */
  callsByTool: Record<string, number>;
  /** The day stopped at the first tick with an app finding or a failure (MUTATION_DAY_FULL plays on). */
  stoppedEarly: boolean;
  /** Why the day ended without figures (a crash or the timeout); null when it was played. */
  error: string | null;
  exitCode: number;
  /** Database up, migrations run, app listening. */
  bootSeconds: number;
  seconds: number;
}

/** The Stryker namespace the instrumented code puts on globalThis when it loads. */
const strykerNamespace = (): { activeMutant?: string } | undefined =>
  (globalThis as { __stryker__?: { activeMutant?: string } }).__stryker__;

async function playMutationDay(
  hours: number,
  concurrency: number,
  result: MutationDayResult,
  onDatabase: (db: BenchDatabase) => void,
): Promise<void> {
  const harness = await DayHarness.open({ hours, concurrency, label: 'mutation' }, onDatabase);
  try {
    result.bootSeconds = harness.bootSeconds;
    result.personaSeed = harness.personaSeed;
    const underStryker =
      process.env.__STRYKER_ACTIVE_MUTANT__ !== undefined || process.env.STRYKER_MUTATOR_WORKER !== undefined;
    if (underStryker && strykerNamespace() === undefined) {
      throw new SetupError(
        'running under Stryker but the app code is not instrumented: the sandbox build did not compile the mutated sources',
      );
    }
    // a killed mutant needs one finding: the day stops at the first tick that gives one (or fails)
    // (its `seconds` are the day's; finish() sets the whole run's)
    Object.assign(result, await harness.play(process.env.MUTATION_DAY_FULL !== 'true'));
  } finally {
    await harness.close();
  }
}

function finish(result: MutationDayResult, started: number): never {
  result.seconds = round((performance.now() - started) / 1000, 1);
  // the output becomes the killed mutant's status reason in Stryker's report: a few lines suffice
  for (const f of result.findings.slice(0, PRINTED_FINDINGS)) {
    say(
      `  finding ${f.tool} ${f.check} ${f.class} ×${f.count} (${f.source}): expected ${f.expected}; got ${f.got}`,
    );
  }
  if (result.findings.length > PRINTED_FINDINGS) {
    say(`  … and ${result.findings.length - PRINTED_FINDINGS} more (tool, check, class) groups`);
  }
  for (const why of result.tickErrors) say(`  tick ${why}`);
  if (result.error) process.stderr.write(`mutation-day: ${result.error}\n`);
  const jsonPath = process.env.MUTATION_DAY_JSON;
  if (jsonPath) writeFileSync(jsonPath, `${JSON.stringify(result, null, 2)}\n`);
  const verdict =
    result.exitCode === EXIT_CLEAN
      ? 'clean'
      : result.exitCode === EXIT_SETUP
        ? 'SETUP FAILED'
        : result.appFindings > 0
          ? 'FOUND'
          : result.failedTicks > 0
            ? 'TICKS FAILED'
            : 'APP FAILED';
  say(
    `mutation-day ${verdict}: mutant ${result.mutant ?? 'none'}, ${result.hours} h, ${result.ticks} ticks ` +
      `(${result.failedTicks} failed), ${result.toolCalls} tool calls, ${result.appFindings} app findings, ` +
      `${result.seconds} s (boot ${result.bootSeconds} s)`,
  );
  process.exit(result.exitCode);
}

function main(): void {
  const started = performance.now();
  const result: MutationDayResult = {
    mutant: process.env.__STRYKER_ACTIVE_MUTANT__ ?? null,
    hours: 0,
    personaSeed: null,
    ticks: 0,
    failedTicks: 0,
    tickErrors: [],
    toolCalls: 0,
    appFindings: 0,
    findings: [],
    callsByTool: {},
    stoppedEarly: false,
    error: null,
    exitCode: EXIT_CLEAN,
    bootSeconds: 0,
    seconds: 0,
  };
  let hours: number;
  let concurrency: number;
  let timeoutMs: number;
  try {
    hours = intEnv('MUTATION_DAY_HOURS', 3, 1, 24);
    concurrency = intEnv('MUTATION_DAY_CONCURRENCY', 1, 1, 10);
    timeoutMs = intEnv('MUTATION_DAY_TIMEOUT_MS', 120_000, 1000, 3_600_000);
  } catch (error) {
    result.error = describe(error);
    result.exitCode = EXIT_SETUP;
    return finish(result, started);
  }
  result.hours = hours;

  let db: BenchDatabase | undefined;
  // Kept referenced: a mutant that leaves a promise hanging with nothing else pending must not let
  // the process end with 0. One that loops without yielding never lets it fire; Stryker's own
  // timeout ends that one.
  setTimeout(() => {
    result.error = `the day did not end within ${timeoutMs} ms (MUTATION_DAY_TIMEOUT_MS)`;
    result.exitCode = EXIT_FOUND;
    // drop a dedicated server database, 5 s at most; the embedded one ends with the process
    const dropped = db && !db.embedded ? db.drop().catch(() => undefined) : Promise.resolve();
    void Promise.race([dropped, new Promise((r) => setTimeout(r, 5000))]).then(() => {
      if (db) rmSync(db.workDir, { recursive: true, force: true });
      finish(result, started);
    });
  }, timeoutMs);

  playMutationDay(hours, concurrency, result, (d) => (db = d)).then(
    () => {
      // a tick that failed is a day the persona could not finish: a user meets that too
      result.exitCode = result.appFindings > 0 || result.failedTicks > 0 ? EXIT_FOUND : EXIT_CLEAN;
      finish(result, started);
    },
    (error: unknown) => {
      result.error = describe(error);
      result.exitCode = error instanceof SetupError ? EXIT_SETUP : EXIT_FOUND;
      finish(result, started);
    },
  );
}

main();
