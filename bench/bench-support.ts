/**
 * What every bench in bench/ shares: reading its size from the environment, a database of its own,
 * the app booted in-process with bench-friendly settings, latency figures, and the result file.
 * Each bench stays one readable script; only the plumbing lives here.
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import type { NestExpressApplication } from '@nestjs/platform-express';
import pg from 'pg';
import { createApp } from '../src/app.factory.js';
import { UsersService } from '../src/auth/users/users.service.js';
import { loadConfig } from '../src/config/app-config.js';
import type { AppConfig } from '../src/config/app-config.js';
import type { DatabaseTarget } from '../src/database/data-source.options.js';
import { EmbeddedPostgres } from '../src/database/embedded-postgres.js';

import { freePort } from '../src/common/free-port.js';

export { freePort };

/** Environment variables as `loadConfig` takes them. */
export type Env = Record<string, string | undefined>;

// ---- output ---------------------------------------------------------------------------------

/** Prints one line to stdout. */
export const say = (text: string): void => {
  process.stdout.write(`${text}\n`);
};

/** Rounds to `digits` decimals (2 unless told). */
export const round = (n: number, digits = 2): number => Math.round(n * 10 ** digits) / 10 ** digits;

/** The machine's 1/5/15-minute load averages, rounded: latency figures share the CPU with it. */
export const loadAverage = (): number[] => loadavg().map((n) => round(n));

/**
 * CPU time (user + system, ms) this process's main thread has used so far, from
 * /proc/self/task/<pid>/stat: unlike event-loop utilisation it does not count the time the thread
 * waited for a core, so it stays comparable when the load generator and the database share the
 * machine. Undefined where /proc is not there. Resolution: one clock tick (10 ms).
 */
export function mainThreadCpuMs(): number | undefined {
  try {
    const stat = readFileSync(`/proc/self/task/${process.pid}/stat`, 'utf8');
    // the fields after the ")" that closes the command name; utime and stime are fields 14 and 15
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const ticks = Number(fields[11]) + Number(fields[12]);
    return Number.isFinite(ticks) ? ticks * 10 : undefined; // USER_HZ is 100 on Linux
  } catch {
    return undefined;
  }
}

/**
 * Runs a bench's `main` and exits: 0 when it finished, 1 with `bench:<name> failed: <stack>` on
 * stderr when it threw.
 */
export function runBench(name: string, main: () => Promise<void>): void {
  main().then(
    () => process.exit(0),
    (error: unknown) => {
      const detail = error instanceof Error ? (error.stack ?? error.message) : String(error);
      process.stderr.write(`bench:${name} failed: ${detail}\n`);
      process.exit(1);
    },
  );
}

/** Writes `text` to bench/results/<fileName> (below the working directory). */
export function writeResultFile(fileName: string, text: string): void {
  const out = join(process.cwd(), 'bench', 'results');
  mkdirSync(out, { recursive: true });
  writeFileSync(join(out, fileName), text);
}

/** Writes a bench's result as pretty JSON to bench/results/<name>.json. */
export function writeResult(name: string, data: unknown): void {
  writeResultFile(`${name}.json`, `${JSON.stringify(data, null, 2)}\n`);
}

// ---- sizes ----------------------------------------------------------------------------------

/** An integer from the environment, `fallback` when unset or empty; throws when out of [min, max]. */
export function intEnv(name: string, fallback: number, min: number, max: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < min || n > max) {
    throw new Error(`${name} must be an integer between ${min} and ${max} (got "${raw}")`);
  }
  return n;
}

/** BENCH_SECONDS: how long a timed bench runs (default 30, 1 to 3600). */
export const benchSeconds = (): number => intEnv('BENCH_SECONDS', 30, 1, 3600);

// ---- latency figures ------------------------------------------------------------------------

/** Nearest-rank percentile `p` (0–100) of ascending values; 0 when there are none. */
export function percentile(sorted: ArrayLike<number>, p: number): number {
  if (sorted.length === 0) return 0;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))];
}

/** Latency figures in milliseconds, rounded to a fixed number of decimals. */
export interface LatencySummary {
  samples: number;
  p50Ms: number;
  p95Ms: number;
  p99Ms: number;
  meanMs: number;
  maxMs: number;
}

/** Percentiles, mean and max of latencies in ms (any order), rounded to `digits` decimals. */
export function summarize(latencies: ArrayLike<number>, digits = 2): LatencySummary {
  const sorted = Float64Array.from(latencies).sort();
  const sum = sorted.reduce((a, b) => a + b, 0);
  return {
    samples: sorted.length,
    p50Ms: round(percentile(sorted, 50), digits),
    p95Ms: round(percentile(sorted, 95), digits),
    p99Ms: round(percentile(sorted, 99), digits),
    meanMs: round(sorted.length ? sum / sorted.length : 0, digits),
    maxMs: round(sorted.length ? sorted[sorted.length - 1] : 0, digits),
  };
}

// ---- database -------------------------------------------------------------------------------

/** The database a bench runs on, and the temp dir that holds its files. */
export interface BenchDatabase extends DatabaseTarget {
  /** What the bench prints and records about the database. */
  description: string;
  /** A temp dir of this run (embedded data, the app's DATA_DIR); removed by drop(). */
  workDir: string;
  /** Stops the embedded database or drops the dedicated one, and removes the temp dir. */
  drop(): Promise<void>;
}

export interface BenchDatabaseOptions {
  /** The description for each mode: embedded PGlite, or a PostgreSQL server from DATABASE_URL. */
  describe: { embedded: string; server: string };
  /** Run on DATABASE_URL's own database instead of a dedicated one created and dropped here. */
  shareServerDatabase?: boolean;
}

/** Runs one statement on the PostgreSQL server of `serverUrl` (CREATE/DROP DATABASE). */
async function onServer(serverUrl: string, sql: string): Promise<void> {
  const client = new pg.Client({ connectionString: serverUrl });
  await client.connect();
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}

/**
 * With DATABASE_URL, a dedicated database `mana_bench_<label>_…` on that server (never seeds a real
 * database; dropped by drop()); without, the embedded Postgres (PGlite) in a temp dir.
 */
export async function benchDatabase(label: string, options: BenchDatabaseOptions): Promise<BenchDatabase> {
  const workDir = mkdtempSync(join(tmpdir(), `mana-bench-${label}-`));
  const removeWorkDir = () => rmSync(workDir, { recursive: true, force: true });
  const serverUrl = process.env.DATABASE_URL;
  try {
    if (!serverUrl) {
      const embedded = await EmbeddedPostgres.start(join(workDir, 'pgdata'));
      return {
        url: embedded.url,
        embedded: true,
        description: options.describe.embedded,
        workDir,
        drop: async () => {
          await embedded.stop();
          removeWorkDir();
        },
      };
    }
    const description = options.describe.server;
    if (options.shareServerDatabase) {
      return { url: serverUrl, embedded: false, description, workDir, drop: async () => removeWorkDir() };
    }
    const name = `mana_bench_${label}_${Date.now()}_${process.pid}`;
    await onServer(serverUrl, `CREATE DATABASE ${name}`);
    const url = new URL(serverUrl);
    url.pathname = `/${name}`;
    return {
      url: url.toString(),
      embedded: false,
      description,
      workDir,
      drop: async () => {
        try {
          await onServer(serverUrl, `DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
        } finally {
          removeWorkDir();
        }
      },
    };
  } catch (error) {
    removeWorkDir();
    throw error;
  }
}

// ---- the app --------------------------------------------------------------------------------

/** The app booted for a bench, listening on a loopback port. */
export interface BenchApp {
  app: NestExpressApplication;
  /** `http://127.0.0.1:<port>` */
  base: string;
  config: AppConfig;
  /** The environment the config was loaded from (to derive a variant with loadConfig). */
  env: Env;
  /** Closes the app; calling it again does nothing. */
  close(): Promise<void>;
}

/**
 * Boots the real app in-process (createApp, migrations at boot) on `db`: development mode, logs at
 * BENCH_LOG_LEVEL (default warn), runner and demo off, auth rate limits out of the way; `overrides`
 * win over all of it.
 */
export async function bootBenchApp(
  db: BenchDatabase,
  overrides: Record<string, string> = {},
): Promise<BenchApp> {
  const port = await freePort();
  const env: Env = {
    ...process.env,
    NODE_ENV: 'development',
    PORT: String(port),
    HOST: '127.0.0.1',
    DATA_DIR: join(db.workDir, 'data'),
    LOG_LEVEL: process.env.BENCH_LOG_LEVEL ?? 'warn',
    RUNNER_ENABLED: 'false',
    RUNNER_DEMO: 'false',
    AUTH_RATE_LIMIT_PER_IP: '1000000',
    AUTH_RATE_LIMIT_PER_EMAIL: '1000000',
    ...overrides,
  };
  const config = loadConfig(env);
  const app = await createApp(config, { url: db.url, embedded: db.embedded });
  let closed: Promise<void> | undefined;
  const close = () => (closed ??= app.close());
  try {
    await app.listen(port, '127.0.0.1');
  } catch (error) {
    await close();
    throw error;
  }
  return { app, base: `http://127.0.0.1:${port}`, config, env, close };
}

/** Creates an admin account through UsersService and logs it in over HTTP; returns its access token. */
export async function adminToken(bench: BenchApp): Promise<string> {
  const stamp = Date.now().toString(36);
  const email = `bench.admin.${stamp}@example.com`;
  const password = `Bench-${stamp}-horse-admin`;
  await bench.app.get(UsersService).ensureAdmin(email, password);
  const login = await fetch(`${bench.base}/api/v1/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ email, password }),
  });
  if (login.status !== 200) throw new Error(`admin login failed: ${login.status}`);
  return ((await login.json()) as { accessToken: string }).accessToken;
}
