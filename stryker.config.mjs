// @ts-check
/* global process */
/**
 * StrykerJS for `npm run bench:mutation` (bench/mutation.bench.ts runs it; `npx stryker run` works too).
 *
 * A mutant is a small change Stryker makes to an app module's code (src/modules/**); it is KILLED
 * when one simulated day of the catalog personas (`node dist/bench/mutation-day.js`, run in
 * Stryker's sandbox with __STRYKER_ACTIVE_MUTANT__ set) reports at least one app finding or the app
 * fails on its own, and SURVIVES when the day ends clean. See README "Mutation testing".
 *
 * Stryker copies the repo to .stryker-tmp/sandbox-*, writes every mutant of the mutated files into
 * them at once behind a switch, compiles the sandbox once (`buildCommand`), then runs the day once
 * per mutant. This file is also loaded as a plugin (`appendPlugins`): it exports the ignorer below.
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
 * by the ignorer below (log lines, error message text, the fault lab), because each mutator also
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

/** A fault lab condition: `this.faults.applies(…)`, or a constant initialised with one. */
function isFaultCondition(path) {
  if (calledField(path.node) === 'faults') return true;
  if (path.node.type !== 'Identifier') return false;
  const binding = path.scope.getBinding(path.node.name);
  return (
    binding?.constant === true &&
    binding.path.node.type === 'VariableDeclarator' &&
    calledField(binding.path.node.init) === 'faults'
  );
}

/** The branch taken only when a planted defect applies: `if (<fault>) …` or `<fault> ? … : …`. */
function isFaultBranch(path) {
  const parent = path.parentPath;
  return (
    path.key === 'consequent' &&
    (parent?.node.type === 'IfStatement' || parent?.node.type === 'ConditionalExpression') &&
    isFaultCondition(parent.get('test'))
  );
}

/**
 * A function or constant declared in the file and used only inside fault lab branches (or inside
 * other such declarations), like todo's `withoutNewest` and the `UPDATE_FIELDS` it reads.
 */
function isLabOnlyDeclaration(path, depth = 0) {
  const node = path.node;
  const name =
    node.type === 'FunctionDeclaration' ||
    (node.type === 'VariableDeclarator' && path.parentPath?.node.kind === 'const')
      ? node.id?.name
      : undefined;
  if (!name || depth > 3) return false;
  const refs = path.scope.getBinding(name)?.referencePaths ?? [];
  return (
    refs.length > 0 &&
    refs.every((/** @type {any} */ ref) =>
      ref.findParent(
        (/** @type {any} */ p) =>
          p !== path &&
          (isFaultBranch(p) ||
            ((p.node.type === 'FunctionDeclaration' || p.node.type === 'VariableDeclarator') &&
              isLabOnlyDeclaration(p, depth + 1))),
      ),
    )
  );
}

/**
 * Ignores (never mutates) code that is no app behaviour a user could meet:
 * - `this.logger.*(…)`: log lines, text nobody reads in a persona's day;
 * - the fault lab (bench:recall plants those defects on purpose; none is planted here, so these
 *   mutants are equivalent or are the lab's own defects): `this.faults.*(…)` calls, constants set
 *   from them, the branches they guard, and functions called only from those branches;
 * - the message of `new …Error(…)` / `new …Exception(…)`: free prose; the error and its code stay
 *   mutated.
 * `path` is a Babel NodePath.
 */
const labHooksIgnorer = {
  /** @param {any} path */
  shouldIgnore(path) {
    const node = path.node;
    const field = calledField(node);
    if (field === 'logger') return 'a log line';
    if (field === 'faults' || isFaultCondition(path)) return 'a fault lab hook';
    if (isFaultBranch(path)) return 'a fault lab branch';
    if (isLabOnlyDeclaration(path)) return 'used by fault lab branches only';
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

export const strykerPlugins = [{ kind: 'Ignore', name: 'mana-lab-hooks', value: labHooksIgnorer }];

/** MUTATION_FILES: comma-separated files or globs (ranges `file:line-line` too) instead of the default. */
const mutate = (process.env.MUTATION_FILES ?? '')
  .split(',')
  .map((s) => s.trim())
  .filter(Boolean);

/** @type {import('@stryker-mutator/api/core').PartialStrykerOptions} */
export default {
  testRunner: 'command',
  commandRunner: { command: 'node dist/bench/mutation-day.js' },
  // `tsc` from the repo's node_modules/.bin (Stryker puts it on PATH). It runs before Stryker links
  // node_modules into the sandbox, and still finds the packages' types by walking up to the repo's
  // node_modules (the sandbox is inside the repo). Type-checking is left to `npm run lint`: a mutant
  // is no type error, and a full tsc of the repo takes ~25 s; --noCheck emits the same files in ~7 s.
  buildCommand: 'tsc -p tsconfig.build.json --noCheck',
  mutate: mutate.length > 0 ? mutate : DEFAULT_MUTATE,
  mutator: { excludedMutations: EXCLUDED_MUTATORS },
  ignorers: ['mana-lab-hooks'],
  appendPlugins: ['./stryker.config.mjs'],
  coverageAnalysis: 'off',
  concurrency: 2,
  // a day ends in ~10 s; mutation-day.js gives up itself after MUTATION_DAY_TIMEOUT_MS (120 s,
  // exit 1 = killed). Stryker's timeout (1.5 × the clean day + 120 s) only ends a mutant that
  // blocks the event loop.
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
