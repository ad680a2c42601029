import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import prettier from 'eslint-config-prettier';

/**
 * The layer order of DESIGN.md ("Shape"), top to bottom: a folder of src/ may import the folders of
 * the rows below its own (and its own files), except the pairs kept APART; anything else is an
 * upward or sideways import and fails `npm run lint`. `reports` is a read model on top; the fault
 * lab sits beside the tools (it plugs into the tool contract's and the space data repository's
 * interceptor tokens and depends on nothing above them); OAuth sits beside the gateway and needs
 * nothing of the app. The files directly in src/ (main, app.module, app.factory) compose
 * everything; no layer imports them.
 */
const ORDER = [
  ['reports'],
  ['runner'],
  ['personas'],
  ['faults', 'tools'],
  ['oauth'],
  ['modules'],
  ['tool-contract'],
  ['crypto'],
  ['spaces'],
  ['auth'],
  ['observability'],
  ['database'],
  ['config'],
  ['common'],
];
/** Lower folders a layer must not import all the same. */
const APART = {
  runner: ['faults', 'oauth'],
  personas: ['faults', 'oauth'],
  faults: ['oauth'],
  tools: ['oauth'],
  oauth: ['modules', 'tool-contract'],
};
const LAYERS = Object.fromEntries(
  ORDER.flatMap((row, i) =>
    row.map((layer) => [
      layer,
      ORDER.slice(i + 1)
        .flat()
        .filter((f) => !(APART[layer] ?? []).includes(f)),
    ]),
  ),
);
/** Files allowed to reach past their layer, each for a reason. */
const LAYER_EXCEPTIONS = [
  // the entity registry the one DataSource is built from lists every module's entities
  'src/database/entities.ts',
  // `npm run check`'s entry point boots the whole app for the built-in target (a composition root)
  'src/runner/check/check-run.ts',
];
const FOLDERS = Object.keys(LAYERS);
const MAX_DEPTH = 6;

function layerRules() {
  const blocks = [];
  for (const [layer, allowed] of Object.entries(LAYERS)) {
    const forbidden = FOLDERS.filter((f) => f !== layer && !allowed.includes(f));
    for (let depth = 1; depth <= MAX_DEPTH; depth++) {
      const up = '\\.\\./'.repeat(depth);
      const patterns = [
        ...(forbidden.length === 0
          ? []
          : [
              {
                regex: `^${up}(${forbidden.join('|')})/`,
                message: `${layer}/ sits below these folders and must not import them (layer order: eslint.config.js LAYERS, DESIGN.md "Shape").`,
              },
            ]),
        {
          regex: `^${up}[^./][^/]*\\.js$`,
          message: 'the files directly in src/ compose the app; no layer imports them.',
        },
      ];
      blocks.push({
        files: [`src/${layer}/${'*/'.repeat(depth - 1)}*.ts`],
        ignores: LAYER_EXCEPTIONS,
        rules: { 'no-restricted-imports': ['error', { patterns }] },
      });
    }
  }
  return blocks;
}

export default tseslint.config(
  {
    ignores: [
      'dist/**',
      '.stryker-tmp/**',
      'reports/**',
      '.bench-build/**',
      '.test-build/**',
      'test/artifacts/**',
      'node_modules/**',
      '.data/**',
      'coverage/**',
      'bench/results/**',
      'src/reports/public/**',
    ],
  },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  prettier,
  {
    files: ['**/*.ts'],
    rules: {
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      'no-console': 'error',
    },
  },
  {
    files: ['scripts/**/*.ts', 'bench/**/*.ts', 'test/**/*.ts', 'test/**/*.js'],
    rules: { 'no-console': 'off' },
  },
  { files: ['test/**/*.ts'], rules: { '@typescript-eslint/no-explicit-any': 'off' } },
  {
    files: ['test/**/*.js', 'test/**/*.mjs', 'jest.config.js'],
    languageOptions: {
      globals: {
        process: 'readonly',
        console: 'readonly',
        URL: 'readonly',
        globalThis: 'readonly',
        setTimeout: 'readonly',
      },
    },
  },
  ...layerRules(),
);
