// Jest global setup (runs once, in the main process, before any test file).
// With DATABASE_URL: creates a throwaway database on that server so the suite never trusts what an
// earlier run left behind. Without it: starts an in-memory embedded Postgres (PGlite) on a loopback
// port, exactly like `npm start` does. Either way tests see DATABASE_URL pointing at a fresh database.
import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { execFileSync } from 'node:child_process';

export default async function globalSetup() {
  process.env.NODE_ENV = 'test';
  process.env.LOG_LEVEL = process.env.TEST_LOG_LEVEL ?? 'silent';
  process.env.DATA_DIR = mkdtempSync(join(tmpdir(), 'mana-test-'));
  process.env.RUNNER_ENABLED = process.env.RUNNER_ENABLED ?? 'false';
  process.env.RUNNER_DEMO = 'false';

  // A private compiled copy of the app for tests that start it (or a CLI) as a child process;
  // private so concurrent runs never see a half-written dist/. CI compiles one copy for both of its
  // suites and names it in MANA_TEST_BUILD_SHARED; then it is used as it is, and never deleted here.
  const shared = process.env.MANA_TEST_BUILD_SHARED;
  let build;
  if (shared && existsSync(join(shared, 'src', 'main.js'))) {
    build = shared;
    globalThis.__MANA_TEST_BUILD_OWNED__ = false;
  } else {
    build = join(process.cwd(), '.test-build', `${Date.now()}-${process.pid}`);
    execFileSync(
      process.execPath,
      ['node_modules/typescript/bin/tsc', '-p', 'tsconfig.build.json', '--outDir', build],
      {
        stdio: 'inherit',
      },
    );
    globalThis.__MANA_TEST_BUILD_OWNED__ = true;
  }
  process.env.MANA_TEST_BUILD = build;

  const base = process.env.DATABASE_URL;
  if (base) {
    const name = `mana_test_${Date.now()}_${process.pid}`;
    const admin = new pg.Client({ connectionString: base });
    await admin.connect();
    await admin.query(`CREATE DATABASE ${name}`);
    await admin.end();
    const url = new URL(base);
    url.pathname = `/${name}`;
    globalThis.__MANA_TEST_DB__ = { base, name };
    process.env.DATABASE_URL = url.toString();
    process.env.TEST_DB_EMBEDDED = '0';
  } else {
    const { PGlite } = await import('@electric-sql/pglite');
    const { PGLiteSocketServer } = await import('@electric-sql/pglite-socket');
    const db = await PGlite.create();
    const server = new PGLiteSocketServer({ db, host: '127.0.0.1', port: 0, maxConnections: 1 });
    await server.start();
    const port = server.getServerConn().split(':')[1];
    globalThis.__MANA_TEST_PGLITE__ = { db, server };
    process.env.DATABASE_URL = `postgres://postgres:postgres@127.0.0.1:${port}/postgres`;
    process.env.TEST_DB_EMBEDDED = '1';
  }
}
