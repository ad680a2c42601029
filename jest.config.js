/**
 * Jest in ESM mode: NestJS 12 packages are ESM-only. Run through `npm test`.
 * Workers: JEST_WORKERS (default 4). Most of a suite's time is spent waiting (HTTP, child
 * processes, the database), so more workers than cores pay off; each worker has a database of its
 * own (test/support/global-setup.js, worker-env.js).
 */
export default {
  testEnvironment: 'node',
  rootDir: '.',
  roots: ['<rootDir>/src', '<rootDir>/test'],
  testMatch: ['**/*.spec.ts', '**/*.e2e-spec.ts'],
  extensionsToTreatAsEsm: ['.ts'],
  moduleNameMapper: { '^(\\.{1,2}/.*)\\.js$': '$1' },
  transform: {
    '^.+\\.ts$': ['ts-jest', { useESM: true, tsconfig: 'tsconfig.json', diagnostics: { warnOnly: false } }],
  },
  globalSetup: '<rootDir>/test/support/global-setup.js',
  globalTeardown: '<rootDir>/test/support/global-teardown.js',
  setupFiles: ['<rootDir>/test/support/worker-env.js'],
  testTimeout: 60000,
  maxWorkers: Number(process.env.JEST_WORKERS ?? 4),
};
