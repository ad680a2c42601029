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
import { performance } from 'node:perf_hooks';
import { Worker } from 'node:worker_threads';
import {
  benchDatabase,
  benchSeconds,
  bootBenchApp,
  intEnv,
  mainThreadCpuMs,
  round,
  runBench,
  say,
  summarize,
  writeResult,
} from './bench-support.js';
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
  /** Main-thread CPU time of the server per tool call (every call made): the cost without the waits. */
  serverCpuMsPerCall?: number;
  firstError?: string;
}

function figures(r: LoadResult, busyMs: number, cpuMs: number | undefined): Figures {
  const latency = summarize(r.latenciesMs);
  return {
    calls: r.calls,
    errors: r.errors,
    callsPerSec: round(r.calls / (r.elapsedMs / 1000)),
    p50Ms: latency.p50Ms,
    p95Ms: latency.p95Ms,
    p99Ms: latency.p99Ms,
    meanMs: latency.meanMs,
    serverBusyMsPerCall: round(r.allCalls ? busyMs / r.allCalls : 0),
    serverCpuMsPerCall: cpuMs === undefined || !r.allCalls ? undefined : round(cpuMs / r.allCalls),
    firstError: r.firstError,
  };
}

/** Runs the load in a worker thread and measures this (the server's) thread meanwhile. */
async function measure(job: LoadJob): Promise<Figures> {
  const before = performance.eventLoopUtilization();
  const cpuBefore = mainThreadCpuMs();
  const result = await runLoad(job);
  const used = performance.eventLoopUtilization(before);
  const cpuAfter = mainThreadCpuMs();
  const cpuMs = cpuBefore === undefined || cpuAfter === undefined ? undefined : cpuAfter - cpuBefore;
  return figures(result, used.active, cpuMs);
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
    `p95 ${f.p95Ms} ms   p99 ${f.p99Ms} ms   server ${f.serverBusyMsPerCall} ms/call ` +
    `(cpu ${f.serverCpuMsPerCall ?? '?'})   ` +
    `(${f.calls} calls, ${f.errors} errors)`
  );
}

async function main(): Promise<void> {
  const seconds = benchSeconds();
  const clients = intEnv('BENCH_CLIENTS', 8, 1, 256);
  const warmupMs = Math.min(2000, Math.max(500, seconds * 100));
  const seedTasks = 20;
  // both phases on DATABASE_URL's own database (the baseline's tables are bench_*), or embedded
  const db = await benchDatabase('mcp', {
    describe: { embedded: 'embedded (PGlite, 1 connection)', server: 'DATABASE_URL' },
    shareServerDatabase: true,
  });
  const database = db.description;
  const poolSize = db.embedded ? 1 : 10;
  say(
    `bench:mcp  ${clients} clients, ${seconds} s per server (+${warmupMs} ms warm-up), database: ${database}`,
  );

  try {
    // ---- phase 1: this server ------------------------------------------------------------
    const bench = await bootBenchApp(db, { TOOL_RATE_LIMIT: '1000000', MCP_MAX_SESSIONS_PER_USER: '1000' });
    const { base } = bench;
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
    await bench.close();
    say(line('ours', ours));

    // ---- phase 2: the bare MCP SDK server --------------------------------------------------
    const bare = await startBaselineServer(db.url, poolSize);
    const baseline = await measure({
      url: bare.url,
      tokens: Array.from({ length: clients }, () => null),
      warmupMs,
      measureMs: seconds * 1000,
      seedTasks,
    });
    await bare.close();
    say(line('baseline', baseline));

    const ratio = baseline.callsPerSec > 0 ? round(ours.callsPerSec / baseline.callsPerSec, 3) : 0;
    const result = {
      bench: 'mcp',
      ours,
      baseline,
      ratio,
      /** baseline ÷ ours server busy time per call: the throughput ratio a CPU-bound server would reach. */
      serverCostRatio:
        ours.serverBusyMsPerCall > 0 ? round(baseline.serverBusyMsPerCall / ours.serverBusyMsPerCall, 3) : 0,
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
    writeResult('mcp', result);
    say(
      `bench:mcp ours ${ours.callsPerSec} calls/s (p99 ${ours.p99Ms} ms) vs bare ${baseline.callsPerSec} calls/s ` +
        `(p99 ${baseline.p99Ms} ms): ratio ${ratio} (target >= ${TARGET}: ${ratio >= TARGET ? 'met' : 'NOT met'})`,
    );
  } finally {
    await db.drop();
  }
}

runBench('mcp', main);
