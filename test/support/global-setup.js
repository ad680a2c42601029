// Jest global setup (runs once, in the main process, before any test file).
// Each jest worker gets a database of its own, so suites run in parallel without seeing each
// other's rows. With DATABASE_URL: one throwaway database per worker on that server (the suite
// never trusts what an earlier run left behind). Without it: one embedded Postgres (PGlite) per
// worker, each in a process of its own on a loopback port, as `npm start` runs it. The worker's
// setup file (worker-env.js) points DATABASE_URL and DATA_DIR at its own.
import { spawn, execFileSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import pg from 'pg';

/** How many workers jest may start (1 in band); each needs a database. */
function workerCount(globalConfig) {
  return Math.max(1, globalConfig?.maxWorkers ?? 1);
}

/** Starts test/support/pglite-server.mjs and answers its URL once it listens. */
function startPglite() {
  const child = spawn(process.execPath, ['test/support/pglite-server.mjs'], {
    cwd: process.cwd(),
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  return new Promise((resolve, reject) => {
    const lines = createInterface({ input: child.stdout });
    lines.once('line', (url) => resolve({ child, url }));
    child.once('error', reject);
    child.once('exit', (code) => reject(new Error(`the embedded Postgres for a worker exited (${code})`)));
  });
}

export default async function globalSetup(globalConfig) {
  process.env.NODE_ENV = 'test';
  process.env.LOG_LEVEL = process.env.TEST_LOG_LEVEL ?? 'silent';
  process.env.DATA_DIR = mkdtempSync(join(tmpdir(), 'mana-test-'));
  process.env.MANA_TEST_DATA_DIR = process.env.DATA_DIR;
  process.env.RUNNER_ENABLED = process.env.RUNNER_ENABLED ?? 'false';
  process.env.RUNNER_DEMO = 'false';
  const workers = workerCount(globalConfig);
  for (let i = 1; i <= workers; i++) mkdirSync(join(process.env.DATA_DIR, `worker-${i}`));

  // the embedded databases start (a few seconds each, in their own processes) while tsc compiles
  const base = process.env.DATABASE_URL;
  const pglites = base ? [] : Array.from({ length: workers }, () => startPglite());

  // A private compiled copy of the app for tests that start it (or a CLI) as a child process;
  // private so concurrent runs never see a half-written dist/. It is a copy of dist/, which
  // `scripts/ensure-build.mjs` rebuilds only when the sources changed (`npm ci` built it): a copy
  // takes a moment, a compile ~15 s. CI makes one copy for both of its suites and names it in
  // MANA_TEST_BUILD_SHARED; then it is used as it is, and never deleted here.
  const shared = process.env.MANA_TEST_BUILD_SHARED;
  let build;
  if (shared && existsSync(join(shared, 'src', 'main.js'))) {
    build = shared;
    globalThis.__MANA_TEST_BUILD_OWNED__ = false;
  } else {
    execFileSync(process.execPath, ['scripts/ensure-build.mjs'], { stdio: 'inherit' });
    build = join(process.cwd(), '.test-build', `${Date.now()}-${process.pid}`);
    cpSync('dist', build, { recursive: true });
    globalThis.__MANA_TEST_BUILD_OWNED__ = true;
  }
  process.env.MANA_TEST_BUILD = build;

  const urls = [];
  if (base) {
    const stamp = `mana_test_${Date.now()}_${process.pid}`;
    const names = Array.from({ length: workers }, (_, i) => `${stamp}_w${i + 1}`);
    const admin = new pg.Client({ connectionString: base });
    await admin.connect();
    for (const name of names) await admin.query(`CREATE DATABASE ${name}`);
    await admin.end();
    for (const name of names) {
      const url = new URL(base);
      url.pathname = `/${name}`;
      urls.push(url.toString());
    }
    globalThis.__MANA_TEST_DB__ = { base, names };
    process.env.TEST_DB_EMBEDDED = '0';
  } else {
    const started = await Promise.all(pglites);
    globalThis.__MANA_TEST_PGLITE__ = started.map((s) => s.child);
    urls.push(...started.map((s) => s.url));
    process.env.TEST_DB_EMBEDDED = '1';
  }
  urls.forEach((url, i) => {
    process.env[`MANA_TEST_DB_URL_${i + 1}`] = url;
  });
  process.env.DATABASE_URL = urls[0];
}
