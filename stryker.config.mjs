// @ts-check
/* global process */
/**
 * StrykerJS for `npm run bench:mutation` (bench/mutation.bench.ts runs it; `npx stryker run` works too).
 *
 * A mutant is a small change Stryker makes to an app module's code (src/modules/**); it is KILLED
 * when one simulated day of the catalog personas (the same day `node dist/bench/mutation-day.js`
 * plays) reports at least one app finding or the app fails on its own, and SURVIVES when the day
 * ends clean. See README "Mutation testing".
 *
 * Stryker copies the repo to .stryker-tmp/sandbox-*, writes every mutant of the mutated files into
 * them at once behind a switch, compiles the sandbox once (`buildCommand`), then plays the day once
 * per mutant with the `mana-day` test runner below (one booted app per worker process). This file is
 * also loaded as a plugin (`appendPlugins`): it exports the ignorer and the test runner.
 */

/**
 * The files mutated by default, 216 mutants: todo and notes, what a 3-hour day calls most (~145 and
 * ~110 calls), and calendar (~60 calls, 37 mutants), which fits the 30 minutes a run at concurrency
 * 2 on 2 cores may take (~12–17 s a mutant per process) where habits (102 mutants) would not.
 * Entities, module files, schemas and tool declarations hold no logic; src/modules/common/ (the SQL
 * builder every call goes through) gives only easy kills. The rest can be run with MUTATION_FILES.
 */
export const DEFAULT_MUTATE = [
  'src/modules/todo/todo.service.ts',
  'src/modules/notes/notes.service.ts',
  'src/modules/calendar/calendar.service.ts',
];

/**
 * Mutators left out as a whole: none. The mutants that are unobservable here are removed one by one
 * by the ignorer below (log lines, error message text; the fault lab no longer lives in these services), because each mutator also
 * changes real behaviour somewhere in these services: StringLiteral (`'open'`, `'DESC'`),
 * OptionalChaining (`input.email?.toLowerCase()` on an optional field), Regex (the journal's word
 * count). A mutant found equivalent goes to bench/mutation-equivalent.json with its reason.
 */
export const EXCLUDED_MUTATORS = [];

/** `this.<field>.<method>(…)`, e.g. `this.logger.warn(…)`; the field's name, else undefined. */
function calledField(node) {
  if (node?.type !== 'CallExpression' || node.callee.type !== 'MemberExpression') return undefined;
  const target = node.callee.object;
  if (target.type !== 'MemberExpression' || target.object.type !== 'ThisExpression') return undefined;
  return target.property.type === 'Identifier' ? target.property.name : undefined;
}

/**
 * Ignores (never mutates) code that is no app behaviour a user could meet:
 * - `this.logger.*(…)`: log lines, text nobody reads in a persona's day;
 * - the message of `new …Error(…)` / `new …Exception(…)`: free prose; the error and its code stay
 *   mutated.
 * `path` is a Babel NodePath.
 */
const logAndMessageIgnorer = {
  /** @param {any} path */
  shouldIgnore(path) {
    const node = path.node;
    const field = calledField(node);
    if (field === 'logger') return 'a log line';
    const parent = path.parentPath?.node;
    if (
      parent?.type === 'NewExpression' &&
      path.listKey === 'arguments' &&
      path.key === 0 &&
      parent.callee.type === 'Identifier' &&
      /(Error|Exception)$/.test(parent.callee.name)
    ) {
      return 'an error message';
    }
    return undefined;
  },
};

/** The instrumented code's namespace on globalThis (the active mutant, coverage, hit counts). */
function strykerNamespace() {
  const g = /** @type {any} */ (globalThis);
  return (g.__stryker__ ??= {});
}

const DAY_TEST = { id: 'day', name: 'a simulated day of the catalog personas' };

/**
 * The `mana-day` test runner: one app booted per Stryker worker process, one simulated day per mutant.
 * Stryker's `command` runner would start `mutation-day.js` per mutant, and a process boots the app,
 * migrates a database and seeds ten personas (~4 s) before the day starts; here a worker does that
 * once (bench/day-harness.ts, from the sandbox's build), then for each mutant switches it on (the
 * instrumented code reads `__stryker__.activeMutant` at every call), plays the day until its first app
 * finding, switches it off and clears what the day left (module tables, ticks, findings, schedules).
 *
 * The initial run plays the clean day in full with coverage on: a mutant the day never reaches is
 * NoCoverage and is not played (the day replays exactly at concurrency 1, so it would not reach it
 * with the mutant on either). A mutant reached while the app loads (a static mutant) needs a fresh
 * process: the runner says it cannot reload, so Stryker starts a new worker for it, and the mutant is
 * switched on before the app loads. A mutant that blocks the event loop ends by Stryker's timeout,
 * which restarts the worker.
 */
class ManaDayRunner {
  static inject = /** @type {const} */ (['logger']);

  /** @param {import('@stryker-mutator/api/logging').Logger} logger */
  constructor(logger) {
    this.logger = logger;
    /** @type {any} */
    this.harness = undefined;
  }

  capabilities() {
    return { reloadEnvironment: false };
  }

  async open() {
    if (!this.harness) {
      const { resolve } = await import('node:path');
      const { pathToFileURL } = await import('node:url');
      const { DayHarness } = await import(pathToFileURL(resolve('dist/bench/day-harness.js')).href);
      const hours = Number(process.env.MUTATION_DAY_HOURS ?? '3');
      this.harness = await DayHarness.open({ hours, concurrency: 1, label: 'stryker-day' });
    }
    return this.harness;
  }

  /** @param {any} day */
  static verdict(day) {
    const lines = day.findings
      .slice(0, 5)
      .map((/** @type {any} */ f) => `${f.tool} ${f.check} ${f.class}: expected ${f.expected}; got ${f.got}`);
    return [...lines, ...day.tickErrors.map((/** @type {string} */ e) => `tick ${e}`)].join('\n');
  }

  async dryRun() {
    const ns = strykerNamespace();
    let harness;
    try {
      harness = await this.open();
    } catch (error) {
      return {
        status: 'error',
        errorMessage: `the day could not be set up: ${String(error?.stack ?? error)}`,
      };
    }
    ns.currentTestId = DAY_TEST.id;
    let day;
    try {
      day = await harness.play(false);
    } finally {
      ns.currentTestId = undefined;
      await harness.reset();
    }
    const clean = day.appFindings === 0 && day.failedTicks === 0;
    this.logger.info(
      `clean day: ${day.ticks} ticks, ${day.toolCalls} calls, ${day.appFindings} app findings, ${day.seconds} s`,
    );
    const timeSpentMs = Math.round(day.seconds * 1000);
    return {
      status: 'complete',
      tests: [
        clean
          ? { ...DAY_TEST, status: 0, timeSpentMs }
          : { ...DAY_TEST, status: 1, timeSpentMs, failureMessage: ManaDayRunner.verdict(day) },
      ],
      mutantCoverage: ns.mutantCoverage ?? { static: {}, perTest: {} },
    };
  }

  /** @param {import('@stryker-mutator/api/test-runner').MutantRunOptions} options */
  async mutantRun(options) {
    const ns = strykerNamespace();
    const id = options.activeMutant.id;
    // a static mutant must be on while the app loads (this worker is fresh for it)
    if (options.mutantActivation === 'static') ns.activeMutant = id;
    const harness = await this.open();
    ns.activeMutant = id;
    if (options.hitLimit !== undefined) {
      ns.hitCount = 0;
      ns.hitLimit = options.hitLimit;
    }
    try {
      const day = await harness.play(true);
      if (ns.hitLimit !== undefined && ns.hitCount > ns.hitLimit)
        return { status: 'timeout', reason: `hit limit ${ns.hitLimit} reached (an endless loop)` };
      return day.appFindings > 0 || day.failedTicks > 0
        ? {
            status: 'killed',
            killedBy: [DAY_TEST.id],
            failureMessage: ManaDayRunner.verdict(day),
            nrOfTests: 1,
          }
        : { status: 'survived', nrOfTests: 1 };
    } finally {
      ns.activeMutant = undefined;
      ns.hitCount = undefined;
      ns.hitLimit = undefined;
      await harness.reset();
    }
  }

  async dispose() {
    await this.harness?.close();
    this.harness = undefined;
  }
}

export const strykerPlugins = [
  { kind: 'Ignore', name: 'mana-lab-hooks', value: logAndMessageIgnorer },
  { kind: 'TestRunner', name: 'mana-day', injectableClass: ManaDayRunner },
];

/** MUTATION_FILES: comma-separated files or globs (ranges `file:line-line` too) instead of the default. */
const mutate = (process.env.MUTATION_FILES ?? '')
  .split(',')
  .map((s) => s.trim())
  .filter(Boolean);

/**
 * MUTATION_RUNNER=command: the baseline the `mana-day` runner is measured against — Stryker's
 * `command` runner starting `node dist/bench/mutation-day.js` once per mutant (a fresh process, app
 * and database each time, the mutant from __STRYKER_ACTIVE_MUTANT__), with no coverage analysis.
 */
const commandRunner = process.env.MUTATION_RUNNER === 'command';

/** @type {import('@stryker-mutator/api/core').PartialStrykerOptions} */
export default {
  ...(commandRunner
    ? { testRunner: 'command', commandRunner: { command: 'node dist/bench/mutation-day.js' } }
    : { testRunner: 'mana-day' }),
  // `tsc` from the repo's node_modules/.bin (Stryker puts it on PATH). It runs before Stryker links
  // node_modules into the sandbox, and still finds the packages' types by walking up to the repo's
  // node_modules (the sandbox is inside the repo). Type-checking is left to `npm run lint`: a mutant
  // is no type error, and a full tsc of the repo takes ~25 s; --noCheck emits the same files in ~7 s.
  buildCommand: 'tsc -p tsconfig.build.json --noCheck',
  mutate: mutate.length > 0 ? mutate : DEFAULT_MUTATE,
  mutator: { excludedMutations: EXCLUDED_MUTATORS },
  ignorers: ['mana-lab-hooks'],
  appendPlugins: ['./stryker.config.mjs'],
  coverageAnalysis: commandRunner ? 'off' : 'perTest',
  concurrency: 2,
  // a day ends in ~10 s, and a tick that hangs ends by the runner's own tick limit (a failed tick:
  // killed). Stryker's timeout (1.5 × the clean day + 120 s) ends a mutant that blocks the event loop.
  timeoutMS: 120_000,
  timeoutFactor: 1.5,
  reporters: ['clear-text', 'progress', 'json', 'html'],
  jsonReporter: { fileName: 'reports/mutation/mutation.json' },
  htmlReporter: { fileName: 'reports/mutation/mutation.html' },
  clearTextReporter: { allowEmojis: false, logTests: false, reportMutants: false },
  tempDirName: '.stryker-tmp',
  cleanTempDir: true,
  symlinkNodeModules: true,
  // the sandbox needs src, migrations, scripts, bench, catalog, the tsconfigs and package.json
  ignorePatterns: [
    '/dist',
    '/.data',
    '/test',
    '/.test-build',
    '/.bench-build',
    '/coverage',
    '/bench/results',
    '/README.md',
    '/Dockerfile',
    '*.log',
  ],
  incremental: false,
  // only the mutated files get `// @ts-nocheck` (the default also rewrites test/ and lib/)
  disableTypeChecks: 'src/modules/**/*.ts',
};
