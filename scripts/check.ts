/**
 * `npm run check -- [options]`: the personas against an MCP server, for CI. No server needs to be
 * running: the app boots in-process on an embedded database in a temp folder, plays the simulated
 * days, writes the reports and exits
 *   0  no new finding (every finding is in the baseline, or there is none);
 *   1  new findings (or, with --strict, baseline entries no longer seen);
 *   2  a usage, connection or authentication problem: the message says which.
 */
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { CatalogError, loadCatalog } from '../src/personas/catalog/catalog.js';
import { SemanticsFileError, loadSemanticsFile } from '../src/runner/targets/semantics-file.js';
import {
  BUILT_IN_TARGET,
  TargetUnreachableError,
  parseEnvAssignment,
  parseHeaderLine,
  splitCommandLine,
} from '../src/runner/targets/target.js';
import type { Target } from '../src/runner/targets/target.js';
import type { CheckRunResult } from '../src/runner/check/check-run.js';
import {
  BaselineFileError,
  baselineOf,
  judge,
  mergeRuns,
  jsonReport,
  junitReport,
  readBaseline,
  sarifReport,
  writeReport,
} from '../src/runner/check/check-report.js';
import type { Baseline } from '../src/runner/check/check-report.js';

const EXIT_CLEAN = 0;
const EXIT_FINDINGS = 1;
const EXIT_PROBLEM = 2;

const USAGE = `Usage: npm run check -- [options]

Target (default: the built-in app)
  --target <url>            an MCP server over Streamable HTTP
  --header "Name: value"    a header for every request to it (repeatable), e.g. a bearer token
  --stdio "<command line>"  an MCP server over stdio, started per persona session
  --env NAME=value          an environment variable for the stdio server (repeatable)
  --semantics <file>        what the server's tools promise (catalog/semantics.schema.json)

Run
  --personas <file>         the persona catalog (default catalog/personas.json)
  --days <n>                simulated days, each persona once a day (default 1)
  --seed <s>                the personas' seed (default PERSONA_SEED, else "mana")
  --repeat <k>              run k seeds; a finding seen in fewer than k runs is flaky (default 1)
  --brain scripted|anthropic (default scripted; anthropic needs ANTHROPIC_API_KEY)
  --budget-usd <x>          the anthropic brain's budget per tick

Reports
  --json <file>  --junit <file>  --sarif <file>
  --baseline <file>         accepted findings: only new ones fail the run
  --update-baseline         write this run's findings to --baseline
  --strict                  baseline entries no longer seen fail the run too

Exit: 0 no new findings, 1 new findings, 2 a usage, connection or authentication problem.`;

class UsageError extends Error {}

interface Parsed {
  target: Target;
  personas?: string;
  days: number;
  seed: string;
  repeat: number;
  brain: 'scripted' | 'anthropic';
  budgetUsd?: number;
  json?: string;
  junit?: string;
  sarif?: string;
  baseline?: string;
  updateBaseline: boolean;
  strict: boolean;
}

function parse(argv: string[]): Parsed | 'help' {
  let values;
  try {
    ({ values } = parseArgs({
      args: argv,
      strict: true,
      allowPositionals: false,
      options: {
        target: { type: 'string' },
        header: { type: 'string', multiple: true },
        stdio: { type: 'string' },
        env: { type: 'string', multiple: true },
        semantics: { type: 'string' },
        personas: { type: 'string' },
        days: { type: 'string' },
        seed: { type: 'string' },
        repeat: { type: 'string' },
        brain: { type: 'string' },
        'budget-usd': { type: 'string' },
        json: { type: 'string' },
        junit: { type: 'string' },
        sarif: { type: 'string' },
        baseline: { type: 'string' },
        'update-baseline': { type: 'boolean' },
        strict: { type: 'boolean' },
        help: { type: 'boolean', short: 'h' },
      },
    }));
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
  if (values.help) return 'help';
  if (values.target && values.stdio) throw new UsageError('--target and --stdio name two servers: pass one');
  if (values.header && !values.target) throw new UsageError('--header needs --target (an HTTP server)');
  if (values.env && !values.stdio) throw new UsageError('--env needs --stdio (a server started by command)');
  if (values.semantics && !values.target && !values.stdio)
    throw new UsageError('--semantics describes an external server: pass --target or --stdio');
  if (values['update-baseline'] && !values.baseline)
    throw new UsageError('--update-baseline needs --baseline <file>');
  const semantics = values.semantics ? loadSemanticsFile(values.semantics) : undefined;
  let target: Target = BUILT_IN_TARGET;
  if (values.target) {
    let url: URL;
    try {
      url = new URL(values.target);
    } catch {
      throw new UsageError(`--target "${values.target}" is not a URL`);
    }
    if (url.protocol !== 'http:' && url.protocol !== 'https:')
      throw new UsageError(`--target "${values.target}" is not an http(s) URL`);
    const headers: Record<string, string> = {};
    for (const line of values.header ?? []) {
      const h = parseHeaderLine(line);
      if (typeof h === 'string') throw new UsageError(`--header: ${h}`);
      headers[h.name] = h.value;
    }
    target = { kind: 'http', url: url.toString(), headers, ...(semantics ? { semantics } : {}) };
  } else if (values.stdio) {
    const words = splitCommandLine(values.stdio);
    if (typeof words === 'string') throw new UsageError(`--stdio: ${words}`);
    const env: Record<string, string> = {};
    for (const text of values.env ?? []) {
      const e = parseEnvAssignment(text);
      if (typeof e === 'string') throw new UsageError(`--env: ${e}`);
      env[e.name] = e.value;
    }
    target = {
      kind: 'stdio',
      command: words[0],
      args: words.slice(1),
      env,
      ...(semantics ? { semantics } : {}),
    };
  }
  const brain = values.brain ?? 'scripted';
  if (brain !== 'scripted' && brain !== 'anthropic')
    throw new UsageError(`--brain must be scripted or anthropic, not "${brain}"`);
  if (brain === 'anthropic' && !process.env.ANTHROPIC_API_KEY)
    throw new UsageError('--brain anthropic needs ANTHROPIC_API_KEY in the environment');
  // a catalog that does not validate fails here, before the app loads (its modules are checked at seeding)
  if (values.personas !== undefined) loadCatalog(values.personas);
  return {
    target,
    personas: values.personas,
    days: intOption('--days', values.days, 1, 1, 30),
    seed: values.seed ?? process.env.PERSONA_SEED ?? 'mana',
    repeat: intOption('--repeat', values.repeat, 1, 1, 10),
    brain,
    budgetUsd: values['budget-usd'] === undefined ? undefined : usd(values['budget-usd']),
    json: values.json,
    junit: values.junit,
    sarif: values.sarif,
    baseline: values.baseline,
    updateBaseline: values['update-baseline'] === true,
    strict: values.strict === true,
  };
}

function intOption(
  name: string,
  raw: string | undefined,
  fallback: number,
  min: number,
  max: number,
): number {
  if (raw === undefined) return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < min || n > max)
    throw new UsageError(`${name} must be a whole number from ${min} to ${max}, not "${raw}"`);
  return n;
}

function usd(raw: string): number {
  const n = Number(raw);
  if (!Number.isFinite(n) || n <= 0)
    throw new UsageError(`--budget-usd must be a positive number, not "${raw}"`);
  return n;
}

/** The project's version, from package.json in the working directory (npm runs scripts there). */
function packageVersion(): string {
  try {
    return (JSON.parse(readFileSync('package.json', 'utf8')) as { version?: string }).version ?? '0.0.0';
  } catch {
    return '0.0.0';
  }
}

async function main(): Promise<number> {
  const parsed = parse(process.argv.slice(2));
  if (parsed === 'help') {
    process.stdout.write(`${USAGE}\n`);
    return EXIT_CLEAN;
  }
  const baseline: Baseline | undefined =
    parsed.baseline && !parsed.updateBaseline ? readBaseline(parsed.baseline) : undefined;
  const progress = process.stderr.isTTY
    ? (line: string) => process.stderr.write(`\r\x1b[K${line}`)
    : undefined;
  // the app (and its many modules) loads only once the options are known to be good
  const { runCheck } = await import('../src/runner/check/check-run.js');
  const runs: CheckRunResult[] = [];
  for (let i = 0; i < parsed.repeat; i += 1) {
    const seed = i === 0 ? parsed.seed : `${parsed.seed}#${i + 1}`;
    runs.push(
      await runCheck({
        target: parsed.target,
        personasPath: parsed.personas,
        days: parsed.days,
        seed,
        brain: parsed.brain,
        budgetUsd: parsed.budgetUsd,
        progress: progress && ((line) => progress(`run ${i + 1}/${parsed.repeat}, ${line}`)),
      }),
    );
  }
  if (progress) process.stderr.write('\r\x1b[K');
  const { result, flaky } = mergeRuns(runs);
  const verdict = judge(result.findings, baseline);
  // a flaky finding is reported, but only one every run saw fails the build
  const failing = verdict.fresh.filter((f) => !flaky.has(f.fingerprint));
  // a tick that failed is a persona's day the server broke off: it fails the run like a finding
  const exitCode =
    failing.length > 0 || result.failedTicks > 0 || (parsed.strict && verdict.stale.length > 0)
      ? EXIT_FINDINGS
      : EXIT_CLEAN;
  const version = packageVersion();
  const flagged = {
    ...result,
    findings: result.findings.map((f) => (flaky.has(f.fingerprint) ? { ...f, flaky: true } : f)),
  };
  if (parsed.json) writeReport(parsed.json, jsonReport(flagged, verdict, exitCode));
  if (parsed.junit) writeReport(parsed.junit, junitReport(result, verdict));
  if (parsed.sarif) writeReport(parsed.sarif, sarifReport(result, verdict, version));
  if (parsed.updateBaseline && parsed.baseline)
    writeReport(parsed.baseline, JSON.stringify(baselineOf(result.findings), null, 2));

  const out = (line: string) => process.stdout.write(`${line}\n`);
  out(
    `mana-personas check: ${result.target} — ${result.days} day(s) × ${runs.length} run(s), ${result.ticks} ticks` +
      ` (${result.failedTicks} failed), ${result.toolCalls} persona calls, ${result.seconds} s`,
  );
  const uncalled = result.tools.filter((t) => t.calls === 0).map((t) => t.name);
  if (uncalled.length > 0) out(`  not called by a persona: ${uncalled.join(', ')}`);
  for (const s of result.skipped)
    out(`  skipped ${s.name}: ${s.why} (a client capability the personas do not offer)`);
  for (const why of result.tickErrors) out(`  tick ${why}`);
  for (const f of result.findings) {
    const state = flaky.has(f.fingerprint) ? 'FLAKY' : verdict.accepted.includes(f) ? 'accepted' : 'NEW';
    out(
      `  ${state.padEnd(8)} ${f.tool} ${f.class} ${f.check} ×${f.count}: expected ${f.expected}; got ${f.got}`,
    );
  }
  for (const s of verdict.stale)
    out(`  STALE    ${s.tool} ${s.class} ${s.check} (in the baseline, not seen)`);
  out(
    `${verdict.fresh.length} new, ${verdict.accepted.length} accepted, ${flaky.size} flaky, ${verdict.stale.length} stale → exit ${exitCode}`,
  );
  return exitCode;
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    const known =
      error instanceof UsageError ||
      error instanceof TargetUnreachableError ||
      error instanceof SemanticsFileError ||
      error instanceof CatalogError ||
      error instanceof BaselineFileError;
    process.stderr.write(
      `check: ${known ? (error as Error).message : ((error as Error)?.stack ?? String(error))}\n`,
    );
    if (error instanceof UsageError) process.stderr.write('run with --help for the options\n');
    process.exit(EXIT_PROBLEM);
  },
);
