/**
 * bench:suite — how long the test suite makes a person wait. Runs `npm test` as the README says (the
 * embedded database, no DATABASE_URL), times it wall to wall, and keeps the figures of the jest JSON
 * report: tests passed and failed, suites, jest workers, and the slowest 10 suites. Writes them under
 * a label in bench/results/suite.json, next to the records already there (so `before` and `after`
 * sit side by side and the ratio is printed).
 *
 *   npm run bench:suite                         the suite now, recorded as `after`
 *   npm run bench:suite -- --label before       the same, recorded as `before`
 *   npm run bench:suite -- -- --randomize --seed 2
 *                                               jest arguments after a second `--`
 *   npm run bench:suite -- --baseline           also runs it in band (one worker, one database),
 *                                               the old way, in the same run, as `baseline-in-band`
 *   npm run bench:suite -- --ci                 times `bash .ci/run` (install, lint, both
 *                                               databases), recorded as `ci`
 *   npm run bench:suite -- --import <jest.json> --wall <s> --label before
 *                                               records a run made elsewhere (e.g. an older commit);
 *                                               `--note <text>` says how it was run
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { loadAverage, round, runBench, say, writeResult } from './bench-support.js';

interface JestReport {
  numPassedTests: number;
  numFailedTests: number;
  numTotalTestSuites: number;
  numRuntimeErrorTestSuites: number;
  testResults: Array<{ name: string; startTime: number; endTime: number; assertionResults: unknown[] }>;
}

interface SuiteRecord {
  label: string;
  command: string;
  measuredAt: string;
  wallSeconds: number;
  exitCode: number | null;
  passed: number;
  failed: number;
  suites: number;
  /** Sum of the suites' own durations: the work, whatever the parallelism. */
  suiteSecondsTotal: number;
  cores: number;
  loadAverageAfter: number[];
  slowest: Array<{ suite: string; seconds: number; tests: number }>;
}

const RESULT = join(process.cwd(), 'bench', 'results', 'suite.json');

function summarize(
  label: string,
  command: string,
  report: JestReport,
  wallSeconds: number,
  exitCode: number | null,
): SuiteRecord {
  const suites = report.testResults.map((t) => ({
    suite: t.name.replace(/^.*?\/(?=(src|test)\/)/, ''),
    seconds: round((t.endTime - t.startTime) / 1000, 1),
    tests: t.assertionResults.length,
  }));
  suites.sort((a, b) => b.seconds - a.seconds);
  return {
    label,
    command,
    measuredAt: new Date().toISOString(),
    wallSeconds: round(wallSeconds, 1),
    exitCode,
    passed: report.numPassedTests,
    failed: report.numFailedTests + report.numRuntimeErrorTestSuites,
    suites: report.numTotalTestSuites,
    suiteSecondsTotal: round(
      suites.reduce((sum, s) => sum + s.seconds, 0),
      1,
    ),
    cores: cpus().length,
    loadAverageAfter: loadAverage(),
    slowest: suites.slice(0, 10),
  };
}

/** Runs a command with its output going to a log file; answers its exit code and wall seconds. */
function run(
  command: string,
  args: string[],
  env: NodeJS.ProcessEnv,
  log: string,
): Promise<{ code: number | null; seconds: number }> {
  const started = performance.now();
  return new Promise((resolve, reject) => {
    const child = spawn('bash', ['-c', `"$0" "$@" > '${log}' 2>&1`, command, ...args], {
      cwd: process.cwd(),
      env,
      stdio: 'ignore',
    });
    child.once('error', reject);
    child.once('exit', (code) => resolve({ code, seconds: (performance.now() - started) / 1000 }));
  });
}

async function timeNpmTest(label: string, extra: string[]): Promise<SuiteRecord> {
  const dir = mkdtempSync(join(tmpdir(), 'mana-bench-suite-'));
  const json = join(dir, 'jest.json');
  const env = { ...process.env };
  delete env.DATABASE_URL;
  const args = ['test', '--', ...extra, '--json', `--outputFile=${json}`];
  say(`bench:suite: npm ${args.join(' ')} (embedded database) …`);
  const { code, seconds } = await run('npm', args, env, join(dir, 'jest.log'));
  if (!existsSync(json))
    throw new Error(`npm test wrote no report (exit ${code}); its log: ${join(dir, 'jest.log')}`);
  const record = summarize(
    label,
    `npm ${args.slice(0, -2).join(' ')}`,
    JSON.parse(readFileSync(json, 'utf8')) as JestReport,
    seconds,
    code,
  );
  rmSync(dir, { recursive: true, force: true });
  return record;
}

async function timeCi(): Promise<SuiteRecord> {
  const log = join(tmpdir(), `mana-bench-ci-${process.pid}.log`);
  say(`bench:suite: bash .ci/run (log: ${log}) …`);
  const { code, seconds } = await run('bash', ['.ci/run'], process.env, log);
  const halves = ['postgres', 'embedded'].map(
    (half) => JSON.parse(readFileSync(join('test', 'artifacts', `jest-${half}.json`), 'utf8')) as JestReport,
  );
  const merged: JestReport = {
    numPassedTests: halves.reduce((n, r) => n + r.numPassedTests, 0),
    numFailedTests: halves.reduce((n, r) => n + r.numFailedTests, 0),
    numTotalTestSuites: halves.reduce((n, r) => n + r.numTotalTestSuites, 0),
    numRuntimeErrorTestSuites: halves.reduce((n, r) => n + r.numRuntimeErrorTestSuites, 0),
    testResults: halves.flatMap((r) => r.testResults),
  };
  return summarize('ci', 'bash .ci/run', merged, seconds, code);
}

function option(name: string): string | undefined {
  const i = process.argv.indexOf(name);
  return i >= 0 ? process.argv[i + 1] : undefined;
}

function print(record: SuiteRecord): void {
  say(
    `${record.label}: ${record.wallSeconds} s wall, ${record.passed} passed, ${record.failed} failed, ${record.suites} suites, ${record.suiteSecondsTotal} s of suite time (exit ${record.exitCode})`,
  );
  for (const s of record.slowest) say(`  ${String(s.seconds).padStart(7)} s  ${s.suite} (${s.tests} tests)`);
}

async function main(): Promise<void> {
  const records: Record<string, SuiteRecord> = existsSync(RESULT)
    ? (JSON.parse(readFileSync(RESULT, 'utf8')) as { records: Record<string, SuiteRecord> }).records
    : {};
  const label = option('--label') ?? 'after';
  const fresh: SuiteRecord[] = [];
  const imported = option('--import');
  if (imported) {
    const wall = Number(option('--wall'));
    if (!Number.isFinite(wall) || wall <= 0)
      throw new Error('--import needs --wall <seconds> (the run’s wall time)');
    fresh.push(
      summarize(
        label,
        option('--note') ?? `imported from ${imported}`,
        JSON.parse(readFileSync(imported, 'utf8')) as JestReport,
        wall,
        null,
      ),
    );
  } else if (process.argv.includes('--ci')) {
    fresh.push(await timeCi());
  } else {
    if (process.argv.includes('--baseline'))
      fresh.push(await timeNpmTest('baseline-in-band', ['--runInBand']));
    // anything after a second `--` goes to jest as it is (e.g. `-- --randomize --seed 2`)
    const sep = process.argv.indexOf('--');
    fresh.push(await timeNpmTest(label, sep >= 0 ? process.argv.slice(sep + 1) : []));
  }
  for (const record of fresh) {
    records[record.label] = record;
    print(record);
  }
  const ratios: Record<string, number> = {};
  const after = records.after;
  for (const base of ['before', 'baseline-in-band']) {
    if (after && records[base])
      ratios[`${base}/after`] = round(records[base].wallSeconds / after.wallSeconds, 2);
  }
  for (const [name, value] of Object.entries(ratios)) say(`wall time ratio ${name}: ${value}×`);
  writeResult('suite', { records, ratios });
}

runBench('suite', main);
