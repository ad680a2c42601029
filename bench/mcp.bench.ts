/**
 * bench:mcp — MCP tool-call throughput of this server vs a bare MCP SDK server.
 *
 *   npm run bench:mcp                       (BENCH_SECONDS=30, BENCH_CLIENTS=8)
 *   BENCH_SECONDS=5 npm run bench:mcp
 *
 * Phase 1 boots this app in-process (createApp) against DATABASE_URL, or an embedded Postgres in a
 * temp dir; N users sign up and log in over HTTP; N MCP SDK clients (in a worker thread) alternate
 * habits.create and todo.list. Phase 2 runs the same load against bench/mcp-baseline.server.ts
 * (same SDK, same database, plain pg, no auth/policy/encryption). The phases run one after the other
 * so they never compete for CPU or for the embedded database's single connection.
 * Writes bench/results/mcp.json; the last line printed is a one-line summary.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer as createNetServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { Worker } from 'node:worker_threads';
import { createApp } from '../src/app.factory.js';
import { loadConfig } from '../src/config/app-config.js';
import { EmbeddedPostgres } from '../src/database/embedded-postgres.js';
import { startBaselineServer } from './mcp-baseline.server.js';
import type { LoadJob, LoadResult } from './mcp-load.worker.js';

const TARGET = 0.7;

interface Figures {
  calls: number;
  errors: number;
  callsPerSec: number;
  p50Ms: number;
  p95Ms: number;
  p99Ms: number;
  meanMs: number;
  /**
   * Main-thread busy time of the server per tool call (event-loop utilisation over the phase ÷
   * every call made): what one call costs the server's event loop, robust against a loaded machine.
   */
  serverBusyMsPerCall: number;
  firstError?: string;
}

function intEnv(name: string, fallback: number, min: number, max: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < min || n > max) {
    throw new Error(`${name} must be an integer between ${min} and ${max} (got "${raw}")`);
  }
  return n;
}

function percentile(sorted: Float64Array, p: number): number {
  if (sorted.length === 0) return 0;
  const i = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[i];
}

function figures(r: LoadResult, busyMs: number): Figures {
  const sorted = Float64Array.from(r.latenciesMs).sort();
  const sum = sorted.reduce((a, b) => a + b, 0);
  const round = (n: number) => Math.round(n * 100) / 100;
  return {
    calls: r.calls,
    errors: r.errors,
    callsPerSec: round(r.calls / (r.elapsedMs / 1000)),
    p50Ms: round(percentile(sorted, 50)),
    p95Ms: round(percentile(sorted, 95)),
    p99Ms: round(percentile(sorted, 99)),
    meanMs: round(sorted.length ? sum / sorted.length : 0),
    serverBusyMsPerCall: round(r.allCalls ? busyMs / r.allCalls : 0),
    firstError: r.firstError,
  };
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createNetServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const address = probe.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      probe.close(() => resolve(port));
    });
  });
}

/** Runs the load in a worker thread and measures this (the server's) thread meanwhile. */
async function measure(job: LoadJob): Promise<Figures> {
  const before = performance.eventLoopUtilization();
  const result = await runLoad(job);
  const used = performance.eventLoopUtilization(before);
  return figures(result, used.active);
}

function runLoad(job: LoadJob): Promise<LoadResult> {
  return new Promise((resolve, reject) => {
    const worker = new Worker(new URL('./mcp-load.worker.js', import.meta.url), { workerData: job });
    worker.once('message', (m: { ok: true; result: LoadResult } | { ok: false; error: string }) => {
      void worker.terminate();
      if (m.ok) resolve(m.result);
      else reject(new Error(`load worker failed: ${m.error}`));
    });
    worker.once('error', reject);
  });
}

interface AuthAnswer {
  accessToken?: string;
  message?: string;
}

async function postJson(
  url: string,
  body: unknown,
): Promise<{ status: number; json: AuthAnswer | undefined }> {
  const res = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  return { status: res.status, json: (await res.json().catch(() => undefined)) as AuthAnswer | undefined };
}

function line(label: string, f: Figures): string {
  return (
    `${label.padEnd(9)} ${String(f.callsPerSec).padStart(9)} calls/s   p50 ${f.p50Ms} ms   ` +
    `p95 ${f.p95Ms} ms   p99 ${f.p99Ms} ms   server ${f.serverBusyMsPerCall} ms/call   ` +
    `(${f.calls} calls, ${f.errors} errors)`
  );
}

async function main(): Promise<void> {
  const seconds = intEnv('BENCH_SECONDS', 30, 1, 3600);
  const clients = intEnv('BENCH_CLIENTS', 8, 1, 256);
  const warmupMs = Math.min(2000, Math.max(500, seconds * 100));
  const seedTasks = 20;
  const workDir = mkdtempSync(join(tmpdir(), 'mana-bench-mcp-'));

  let embedded: EmbeddedPostgres | undefined;
  let databaseUrl = process.env.DATABASE_URL;
  if (!databaseUrl) {
    embedded = await EmbeddedPostgres.start(join(workDir, 'pgdata'));
    databaseUrl = embedded.url;
  }
  const database = embedded ? 'embedded (PGlite, 1 connection)' : 'DATABASE_URL';
  const poolSize = embedded ? 1 : 10;
  process.stdout.write(
    `bench:mcp  ${clients} clients, ${seconds} s per server (+${warmupMs} ms warm-up), database: ${database}\n`,
  );

  try {
    // ---- phase 1: this server ------------------------------------------------------------
    const port = await freePort();
    const config = loadConfig({
      ...process.env,
      NODE_ENV: 'development',
      PORT: String(port),
      HOST: '127.0.0.1',
      DATA_DIR: join(workDir, 'data'),
      LOG_LEVEL: process.env.BENCH_LOG_LEVEL ?? 'warn',
      RUNNER_ENABLED: 'false',
      RUNNER_DEMO: 'false',
      AUTH_RATE_LIMIT_PER_IP: '1000000',
      AUTH_RATE_LIMIT_PER_EMAIL: '1000000',
      TOOL_RATE_LIMIT: '1000000',
      MCP_MAX_SESSIONS_PER_USER: '1000',
    });
    const app = await createApp(config, { url: databaseUrl, embedded: Boolean(embedded) });
    await app.listen(port, '127.0.0.1');
    const base = `http://127.0.0.1:${port}`;
    const tokens: string[] = [];
    const stamp = Date.now().toString(36);
    for (let i = 0; i < clients; i++) {
      const email = `bench.${stamp}.${i}@example.com`;
      const password = `Bench-${stamp}-horse-${i}`;
      const reg = await postJson(`${base}/api/v1/auth/register`, { email, password });
      if (reg.status !== 201) throw new Error(`register failed: ${reg.status} ${JSON.stringify(reg.json)}`);
      const login = await postJson(`${base}/api/v1/auth/login`, { email, password });
      if (login.status !== 200)
        throw new Error(`login failed: ${login.status} ${JSON.stringify(login.json)}`);
      if (!login.json?.accessToken) throw new Error('login answered no accessToken');
      tokens.push(login.json.accessToken);
    }
    const ours = await measure({
      url: `${base}/mcp`,
      tokens,
      warmupMs,
      measureMs: seconds * 1000,
      seedTasks,
    });
    await app.close();
    process.stdout.write(`${line('ours', ours)}\n`);

    // ---- phase 2: the bare MCP SDK server --------------------------------------------------
    const bare = await startBaselineServer(databaseUrl, poolSize);
    const baseline = await measure({
      url: bare.url,
      tokens: Array.from({ length: clients }, () => null),
      warmupMs,
      measureMs: seconds * 1000,
      seedTasks,
    });
    await bare.close();
    process.stdout.write(`${line('baseline', baseline)}\n`);

    const ratio =
      baseline.callsPerSec > 0 ? Math.round((ours.callsPerSec / baseline.callsPerSec) * 1000) / 1000 : 0;
    const result = {
      bench: 'mcp',
      ours,
      baseline,
      ratio,
      /** baseline ÷ ours server busy time per call: the throughput ratio a CPU-bound server would reach. */
      serverCostRatio:
        ours.serverBusyMsPerCall > 0
          ? Math.round((baseline.serverBusyMsPerCall / ours.serverBusyMsPerCall) * 1000) / 1000
          : 0,
      target: TARGET,
      meetsTarget: ratio >= TARGET,
      clients,
      seconds,
      warmupMs,
      workload: 'alternating habits.create and todo.list (limit 20, 20 seeded tasks per client)',
      database,
      node: process.version,
      finishedAt: new Date().toISOString(),
    };
    const out = join(process.cwd(), 'bench', 'results');
    mkdirSync(out, { recursive: true });
    writeFileSync(join(out, 'mcp.json'), `${JSON.stringify(result, null, 2)}\n`);
    process.stdout.write(
      `bench:mcp ours ${ours.callsPerSec} calls/s (p99 ${ours.p99Ms} ms) vs bare ${baseline.callsPerSec} calls/s ` +
        `(p99 ${baseline.p99Ms} ms): ratio ${ratio} (target >= ${TARGET}: ${ratio >= TARGET ? 'met' : 'NOT met'})\n`,
    );
  } finally {
    await embedded?.stop();
    rmSync(workDir, { recursive: true, force: true });
  }
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    process.stderr.write(`bench:mcp failed: ${(error as Error)?.stack ?? String(error)}\n`);
    process.exit(1);
  },
);
