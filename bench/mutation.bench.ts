/**
 * bench:mutation — the finding power of the personas on defects nobody wrote: StrykerJS mutates the
 * app modules' code, and each mutant is played one simulated day of the catalog personas.
 *
 *   npm run bench:mutation                                   (the default files, stryker.config.mjs)
 *   MUTATION_FILES=src/modules/todo/todo.service.ts MUTATION_LIMIT=8 MUTATION_CONCURRENCY=1 npm run bench:mutation
 *
 * 1. Plays one clean day (no mutant) with `node dist/bench/mutation-day.js`: it must give no app
 *    finding. If it does, they are printed and recorded as `cleanDayFindings`, and Stryker does not
 *    run (its initial run would fail the same way).
 * 2. Runs Stryker in-process with stryker.config.mjs: it copies the repo to .stryker-tmp/, writes the
 *    mutants into the chosen files, compiles the sandbox once, plays the clean day once with coverage
 *    on (a mutant the day never reaches is NoCoverage), and plays the same day once per reached
 *    mutant with its `mana-day` test runner: one app booted per worker process, the mutant switched
 *    on for the day, the day's rows cleared after (killed: an app finding or a failed tick). Reports
 *    go to reports/mutation/ (HTML and JSON).
 * 3. Reads the JSON report and writes bench/results/mutation.json: counts by status, the score
 *    (killed + timeout) / (mutants − noCoverage − equivalent), each survivor (file, line, mutator,
 *    replacement), and the mutants bench/mutation-equivalent.json declares equivalent (matched by
 *    file, line, mutator and replacement; a survivor listed there leaves the score's denominator).
 *
 * Environment:
 *   MUTATION_FILES        comma-separated files, globs or ranges (`file:12-40`) to mutate instead of
 *                         the default set in stryker.config.mjs
 *   MUTATION_LIMIT        at most this many mutants (the first ones, in file order); plain files or
 *                         ranges only. 0 or unset: all of them
 *   MUTATION_CONCURRENCY  days played at once (default: stryker.config.mjs's 2)
 *   MUTATION_RUNNER       `command`: the baseline, Stryker's command runner starting mutation-day.js
 *                         once per mutant with no coverage analysis (default: the mana-day runner)
 *   MUTATION_DAY_HOURS    hours in the simulated day (default 3), MUTATION_DAY_TIMEOUT_MS (120000)
 *   PERSONA_SEED, DATABASE_URL, BENCH_LOG_LEVEL as for the other benches
 *
 * The last line printed is a one-line summary.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative, resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import { pathToFileURL } from 'node:url';
import { Stryker } from '@stryker-mutator/core';
import type { PartialStrykerOptions } from '@stryker-mutator/api/core';
import { intEnv, loadAverage, round, runBench, say, writeResult } from './bench-support.js';
import type { MutationDayFinding, MutationDayResult } from './mutation-day.js';

const CONFIG_FILE = 'stryker.config.mjs';
const REPORT_FILE = join('reports', 'mutation', 'mutation.json');
const EQUIVALENT_FILE = join('bench', 'mutation-equivalent.json');

/** What the bench reads from stryker.config.mjs besides its options. */
interface StrykerConfigModule {
  default: PartialStrykerOptions & { mutate: string[]; mutator: { excludedMutations: string[] } };
  DEFAULT_MUTATE: string[];
  EXCLUDED_MUTATORS: string[];
  strykerPlugins: Array<{ name: string; value: unknown }>;
}

/** The part of a mutation-testing-report-schema report this bench reads. */
interface MutationReport {
  files: Record<
    string,
    {
      mutants: Array<{
        id: string;
        mutatorName: string;
        replacement?: string;
        status: string;
        statusReason?: string;
        location: { start: { line: number; column: number }; end: { line: number; column: number } };
      }>;
    }
  >;
}

/** One line of bench/mutation-equivalent.json, kept by hand. */
interface EquivalentMutant {
  file: string;
  line: number;
  mutator: string;
  replacement: string;
  reason: string;
}

interface Located {
  file: string;
  line: number;
  mutator: string;
  replacement: string;
}

const sameMutant = (a: Located, b: Located) =>
  a.file === b.file && a.line === b.line && a.mutator === b.mutator && a.replacement === b.replacement;

/** Plays one clean day (no mutant) in a child process, as Stryker will; answers its figures. */
async function cleanDay(): Promise<{ exitCode: number; result: MutationDayResult | null }> {
  const dir = mkdtempSync(join(tmpdir(), 'mana-bench-mutation-clean-'));
  const jsonPath = join(dir, 'day.json');
  try {
    const env: NodeJS.ProcessEnv = { ...process.env, MUTATION_DAY_JSON: jsonPath };
    delete env.__STRYKER_ACTIVE_MUTANT__;
    const child = spawn(process.execPath, ['dist/bench/mutation-day.js'], { env, stdio: 'inherit' });
    const exitCode = await new Promise<number>((done, fail) => {
      child.on('error', fail);
      child.on('exit', (code, signal) => done(code ?? (signal ? 128 : 1)));
    });
    const result = existsSync(jsonPath)
      ? (JSON.parse(readFileSync(jsonPath, 'utf8')) as MutationDayResult)
      : null;
    return { exitCode, result };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const RANGE = /^(.*?):(\d+)-(\d+)$/;

/**
 * MUTATION_LIMIT: the mutate ranges that hold exactly the first `limit` mutants of `patterns` (plain
 * files or `file:a-b` line ranges), found with Stryker's own instrumenter, the config's excluded
 * mutators and its ignorer. A range covers a mutant's node, and so every mutant inside that node: a
 * mutant is taken only when the ranges stay within the limit.
 */
async function limitedMutate(
  patterns: string[],
  limit: number,
  config: StrykerConfigModule,
): Promise<string[]> {
  const { Instrumenter } = await import('@stryker-mutator/instrumenter');
  const quiet = () => undefined;
  const no = () => false;
  const logger = {
    ...{ trace: quiet, debug: quiet, info: quiet, warn: quiet, error: quiet, fatal: quiet },
    ...{ isTraceEnabled: no, isDebugEnabled: no, isInfoEnabled: no, isWarnEnabled: no },
    ...{ isErrorEnabled: no, isFatalEnabled: no },
  };
  const files = patterns.map((pattern) => {
    const range = RANGE.exec(pattern);
    const name = range ? range[1] : pattern;
    if (!existsSync(name) || /[*?{}[\]]/.test(name)) {
      throw new Error(`MUTATION_LIMIT takes plain files or file:line-line ranges (got "${pattern}")`);
    }
    const lines = range ? { from: Number(range[2]), to: Number(range[3]) } : undefined;
    return { name: resolve(name), content: readFileSync(name, 'utf8'), lines };
  });
  const ignorer = config.strykerPlugins.find((p) => p.name === 'mana-lab-hooks')!.value;
  const instrumenter = new Instrumenter(logger as never);
  const { mutants } = await instrumenter.instrument(
    files.map((f) => ({ name: f.name, content: f.content, mutate: true as const })),
    {
      plugins: null,
      excludedMutations: config.default.mutator.excludedMutations,
      ignorers: [ignorer as never],
      noHeader: false,
    },
  );
  const candidates = mutants.filter((m) => {
    if (m.status === 'Ignored') return false;
    const lines = files.find((f) => f.name === m.fileName)!.lines;
    return !lines || (m.location.start.line + 1 >= lines.from && m.location.end.line + 1 <= lines.to);
  });
  type Loc = (typeof candidates)[number]['location'];
  const within = (outer: Loc, inner: Loc) =>
    (outer.start.line < inner.start.line ||
      (outer.start.line === inner.start.line && outer.start.column <= inner.start.column)) &&
    (outer.end.line > inner.end.line ||
      (outer.end.line === inner.end.line && outer.end.column >= inner.end.column));
  const chosen: typeof candidates = [];
  const covered = (ranges: typeof candidates) =>
    candidates.filter((m) => ranges.some((r) => r.fileName === m.fileName && within(r.location, m.location)))
      .length;
  for (const m of candidates) {
    if (covered([...chosen, m]) <= limit) chosen.push(m);
    if (covered(chosen) >= limit) break;
  }
  // Stryker's ranges: lines 1-based, columns 0-based (as Babel's)
  return chosen.map(
    (m) =>
      `${relative(process.cwd(), m.fileName)}:${m.location.start.line + 1}:${m.location.start.column}-` +
      `${m.location.end.line + 1}:${m.location.end.column}`,
  );
}

/** Removes the temp dirs of days that Stryker killed at its timeout (their process is gone). */
function removeOrphanDayDirs(): number {
  let removed = 0;
  for (const name of readdirSync(tmpdir())) {
    const match = /^mana-bench-(?:mutation|stryker_day)_(\d+)-/.exec(name);
    if (!match) continue;
    try {
      process.kill(Number(match[1]), 0);
    } catch {
      rmSync(join(tmpdir(), name), { recursive: true, force: true });
      removed += 1;
    }
  }
  return removed;
}

async function main(): Promise<void> {
  const started = performance.now();
  const config = (await import(pathToFileURL(resolve(CONFIG_FILE)).href)) as StrykerConfigModule;
  const limit = intEnv('MUTATION_LIMIT', 0, 0, 100_000);
  const configured = config.default.concurrency;
  const concurrency = intEnv('MUTATION_CONCURRENCY', typeof configured === 'number' ? configured : 2, 1, 16);
  const patterns = config.default.mutate;
  const excluded = config.default.mutator.excludedMutations;
  const equivalentList = existsSync(EQUIVALENT_FILE)
    ? (JSON.parse(readFileSync(EQUIVALENT_FILE, 'utf8')) as EquivalentMutant[])
    : [];
  const load = loadAverage();
  say(
    `bench:mutation  ${patterns.join(', ')}${limit ? ` (first ${limit} mutants)` : ''}, concurrency ${concurrency}, ` +
      `day of ${process.env.MUTATION_DAY_HOURS ?? '3'} h; machine load average ${load.join(' / ')}`,
  );

  const clean = await cleanDay();
  if (clean.exitCode === 2 || !clean.result) {
    throw new Error(`the clean day could not be set up (exit ${clean.exitCode}); see its output above`);
  }
  const cleanDayFindings: MutationDayFinding[] = clean.result.findings;
  const cleanFailed = clean.exitCode !== 0;
  say(
    `  clean day: ${clean.result.ticks} ticks (${clean.result.failedTicks} failed), ${clean.result.toolCalls} tool calls, ` +
      `${clean.result.appFindings} app findings, ${clean.result.seconds} s` +
      (clean.result.error ? ` — ${clean.result.error.split('\n')[0]}` : ''),
  );

  say(
    `  clean day's calls: ${Object.entries(clean.result.callsByTool)
      .map(([tool, n]) => `${tool} ${n}`)
      .join(', ')}`,
  );

  const mutate = limit > 0 ? await limitedMutate(patterns, limit, config) : patterns;
  let strykerError: string | null = null;
  const strykerStarted = performance.now();
  if (cleanFailed) {
    strykerError = 'not run: the clean day was not clean (Stryker’s initial run would fail the same way)';
  } else {
    const options: PartialStrykerOptions = { configFile: CONFIG_FILE, mutate, concurrency };
    rmSync(REPORT_FILE, { force: true });
    try {
      await new Stryker(options).runMutationTest();
    } catch (error) {
      strykerError = error instanceof Error ? error.message : String(error);
    }
  }
  const strykerMs = performance.now() - strykerStarted;
  const orphans = removeOrphanDayDirs();

  const counts = { killed: 0, survived: 0, noCoverage: 0, timeout: 0, errors: 0, ignored: 0 };
  const survivors: Located[] = [];
  const equivalent: Array<Omit<EquivalentMutant, 'replacement'> & { replacement: string }> = [];
  const equivalentButKilled: Located[] = [];
  const files: string[] = [];
  if (!strykerError) {
    if (!existsSync(REPORT_FILE)) throw new Error(`Stryker wrote no ${REPORT_FILE}`);
    const report = JSON.parse(readFileSync(REPORT_FILE, 'utf8')) as MutationReport;
    for (const [file, { mutants }] of Object.entries(report.files)) {
      files.push(file);
      for (const m of mutants) {
        const at: Located = {
          file,
          line: m.location.start.line,
          mutator: m.mutatorName,
          replacement: m.replacement ?? '',
        };
        const listed = equivalentList.find((e) => sameMutant(e, at));
        switch (m.status) {
          case 'Killed':
            counts.killed += 1;
            if (listed) equivalentButKilled.push(at);
            break;
          case 'Timeout':
            counts.timeout += 1;
            if (listed) equivalentButKilled.push(at);
            break;
          case 'Survived':
            counts.survived += 1;
            if (listed) equivalent.push({ ...at, reason: listed.reason });
            else survivors.push(at);
            break;
          case 'NoCoverage':
            counts.noCoverage += 1;
            break;
          case 'Ignored':
            counts.ignored += 1;
            break;
          default: // CompileError, RuntimeError, Pending
            counts.errors += 1;
        }
      }
    }
  }
  const mutants = counts.killed + counts.survived + counts.noCoverage + counts.timeout;
  const denominator = mutants - counts.noCoverage - equivalent.length;
  const score = denominator > 0 ? round((counts.killed + counts.timeout) / denominator, 3) : null;
  const durationMs = Math.round(performance.now() - started);
  const strykerMsPerMutant = mutants > 0 ? Math.round(strykerMs / mutants) : null;

  if (survivors.length > 0) {
    say('');
    say('  survivors (file:line mutator → replacement):');
    for (const s of survivors) {
      say(`    ${s.file}:${s.line} ${s.mutator} → ${s.replacement.replace(/\s+/g, ' ').slice(0, 100)}`);
    }
  }
  for (const e of equivalentButKilled) {
    say(`  NOTE listed as equivalent but killed: ${e.file}:${e.line} ${e.mutator} → ${e.replacement}`);
  }
  for (const f of cleanDayFindings) {
    say(
      `  CLEAN DAY FINDING ${f.tool} ${f.check} ${f.class} ×${f.count}: expected ${f.expected}; got ${f.got}`,
    );
  }
  if (strykerError) say(`  Stryker: ${strykerError}`);

  writeResult('mutation', {
    bench: 'mutation',
    mutants,
    killed: counts.killed,
    survived: counts.survived,
    noCoverage: counts.noCoverage,
    timeout: counts.timeout,
    errors: counts.errors,
    ignored: counts.ignored,
    score,
    survivors,
    equivalent,
    equivalentButKilled,
    cleanDayFindings,
    cleanDay: {
      exitCode: clean.exitCode,
      ticks: clean.result.ticks,
      failedTicks: clean.result.failedTicks,
      toolCalls: clean.result.toolCalls,
      appFindings: clean.result.appFindings,
      seconds: clean.result.seconds,
      callsByTool: clean.result.callsByTool,
    },
    durationMs,
    strykerMs: Math.round(strykerMs),
    strykerMsPerMutant,
    concurrency,
    runner:
      process.env.MUTATION_RUNNER === 'command'
        ? 'command (mutation-day.js per mutant, no coverage)'
        : 'mana-day (one app per worker, perTest coverage)',
    dayHours: clean.result.hours,
    files,
    mutate,
    mutatorsExcluded: excluded,
    ignorer: 'mana-lab-hooks (stryker.config.mjs): log lines, fault lab hooks and branches, error messages',
    personaSeed: clean.result.personaSeed,
    strykerError,
    orphanDayDirsRemoved: orphans,
    method: {
      killed:
        'with the mutant switched on in a booted app (the mana-day test runner, stryker.config.mjs), one simulated day of the 10 catalog personas (scripted brain) gave an app finding (not a persona mistake, not source llm), or a tick failed; a static mutant is played in a fresh worker process; noCoverage: the clean day never reaches the mutant',
      score: '(killed + timeout) / (mutants − noCoverage − equivalent)',
      strykerMsPerMutant:
        'Stryker’s wall time ÷ mutants, its sandbox copy, build and initial run included (they dominate a small run)',
      equivalent: `survivors listed in ${EQUIVALENT_FILE} (file, line, mutator, replacement)`,
    },
    loadAverageAtStart: load,
    node: process.version,
    finishedAt: new Date().toISOString(),
  });
  say(
    `bench:mutation score ${score ?? '-'} (${counts.killed} killed + ${counts.timeout} timeout of ${mutants} mutants, ` +
      `${survivors.length} survived, ${equivalent.length} equivalent), clean day ${cleanDayFindings.length === 0 && !cleanFailed ? 'clean' : 'NOT CLEAN'}, ` +
      `${strykerMsPerMutant ?? '-'} ms/mutant (Stryker wall ÷ mutants), ${round(durationMs / 1000, 1)} s → bench/results/mutation.json`,
  );
}

runBench('mutation', main);
