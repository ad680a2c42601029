import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { builtFile, freePort } from './test-app.js';

/**
 * The compiled server (`node dist/src/main.js`, from this run's private build) as a real child
 * process, for tests whose point is processes: replicas, signals, crashes.
 */
export interface ServerProcess {
  child: ChildProcess;
  url: string;
  output: () => string;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

/** Generous on a loaded CI box; a quiet machine boots in a few seconds. */
export const READY_WITHIN_MS = Number(process.env.TEST_BOOT_DEADLINE_MS ?? 60_000);

/** Secrets an operator gives every replica (they must be the same on all of them). */
export function replicaSecrets(): Record<string, string> {
  return {
    JWT_PRIVATE_KEY: generateKeyPairSync('ec', { namedCurve: 'prime256v1' })
      .privateKey.export({ type: 'pkcs8', format: 'pem' })
      .toString(),
    MANA_SERVICE_KEY: randomBytes(32).toString('base64url'),
    MASTER_KEK: randomBytes(32).toString('base64'),
    PERSONA_SEED_SECRET: randomBytes(24).toString('hex'),
  };
}

/** Starts the server on loopback with warn-level logs (unless `env` says otherwise); see spawnServer. */
export function startServer(env: Record<string, string>, port: number): ServerProcess {
  return spawnServer({ HOST: '127.0.0.1', LOG_LEVEL: 'warn', ...env }, port);
}

/** A child process whose output (stdout and stderr together) is kept, and its exit awaited. */
export interface WatchedProcess {
  child: ChildProcess;
  output(): string;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

/** Starts a compiled file of this run's build (`builtFile(file)`) with exactly `env`. */
export function spawnWatched(file: string, args: string[], env: NodeJS.ProcessEnv): WatchedProcess {
  const child = spawn(process.execPath, [builtFile(file), ...args], {
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (out += d.toString()));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once('exit', (code, signal) => resolve({ code, signal })),
  );
  return { child, output: () => out, exited };
}

/**
 * Starts the server with exactly `env` (plus PATH, HOME and PORT): nothing leaks in from the test
 * process, and nothing is added (a zero-config boot sees no HOST either).
 */
export function spawnServer(env: Record<string, string>, port: number): ServerProcess {
  const watched = spawnWatched('src/main.js', [], {
    PATH: process.env.PATH ?? '/usr/bin:/bin',
    HOME: process.env.HOME ?? tmpdir(),
    ...env,
    PORT: String(port),
  });
  return { ...watched, url: `http://127.0.0.1:${port}` };
}

/** Polls /health/ready until 200 (bounded); returns the milliseconds it took. */
export async function waitReady(server: ServerProcess, withinMs = READY_WITHIN_MS): Promise<number> {
  const began = Date.now();
  let exitedEarly = false;
  void server.exited.then(() => (exitedEarly = true));
  while (Date.now() - began < withinMs && !exitedEarly) {
    const res = await fetch(`${server.url}/health/ready`).catch(() => undefined);
    if (res?.status === 200) return Date.now() - began;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(
    `server ${exitedEarly ? 'exited' : 'not ready'} after ${Date.now() - began} ms; output:\n${server.output()}`,
  );
}

/** Sends `signal` and waits (bounded) for the exit. */
export async function stopServer(
  server: ServerProcess,
  signal: NodeJS.Signals = 'SIGTERM',
  withinMs = 30_000,
): Promise<{ code: number | null; signal: NodeJS.Signals | null }> {
  if (server.child.exitCode === null && server.child.signalCode === null) server.child.kill(signal);
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => reject(new Error(`no exit within ${withinMs} ms after ${signal}; output:\n${server.output()}`)),
      withinMs,
    );
  });
  try {
    return await Promise.race([server.exited, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/** Kills whatever is still running (afterAll safety net). */
export function killAll(servers: ServerProcess[]): void {
  for (const s of servers)
    if (s.child.exitCode === null && s.child.signalCode === null) s.child.kill('SIGKILL');
}

/**
 * A fresh, empty database on the server of the suite's DATABASE_URL (PostgreSQL only): what a new
 * deployment starts from. `drop()` removes it, disconnecting whoever is left.
 */
export async function throwawayDatabase(prefix: string): Promise<{
  url: string;
  query: (sql: string, params?: unknown[]) => Promise<any[]>;
  drop(): Promise<void>;
}> {
  const base = process.env.DATABASE_URL;
  if (!base) throw new Error('the jest global setup did not provide DATABASE_URL');
  const name = `${prefix}_${Date.now()}_${process.pid}`;
  const admin = new pg.Client({ connectionString: base });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  const url = new URL(base);
  url.pathname = `/${name}`;
  const client = new pg.Client({ connectionString: url.toString() });
  await client.connect();
  return {
    url: url.toString(),
    query: async (sql, params) => (await client.query(sql, params as unknown[])).rows,
    async drop() {
      await client.end().catch(() => undefined);
      await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`).catch(() => undefined);
      await admin.end().catch(() => undefined);
    },
  };
}

export type ThrowawayDatabase = Awaited<ReturnType<typeof throwawayDatabase>>;

/** Instances of the server on one throwaway database, as started by startReplicas. */
export interface Replicas {
  db: ThrowawayDatabase;
  servers: ServerProcess[];
  /** Kills the instances, drops the database and removes their data directories. */
  stop(): Promise<void>;
}

/**
 * `count` server processes on one new database, with the same secrets (as replicas need) and a data
 * directory each, ready when this resolves. `env` gets every instance's port (e.g. for one shared
 * PUBLIC_URL); NODE_ENV=test, the database, the directory and the secrets are set here, the runner off.
 */
export async function startReplicas(
  prefix: string,
  count: number,
  env: (ports: number[]) => Record<string, string> = () => ({}),
): Promise<Replicas> {
  const db = await throwawayDatabase(prefix);
  const secrets = replicaSecrets();
  const ports: number[] = [];
  for (let i = 0; i < count; i++) ports.push(await freePort());
  const dirs = ports.map(() => mkdtempSync(join(tmpdir(), `${prefix}-`)));
  const servers = ports.map((port, i) =>
    startServer(
      {
        NODE_ENV: 'test',
        DATABASE_URL: db.url,
        DATA_DIR: dirs[i],
        ...secrets,
        RUNNER_ENABLED: 'false',
        ...env(ports),
      },
      port,
    ),
  );
  const stop = async () => {
    killAll(servers);
    await Promise.all(servers.map((s) => s.exited));
    await db.drop();
    for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
  };
  try {
    await Promise.all(servers.map((s) => waitReady(s)));
  } catch (error) {
    await stop();
    throw error;
  }
  return { db, servers, stop };
}
