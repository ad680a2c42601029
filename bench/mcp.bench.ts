/**
 * bench:mcp — MCP tool-call throughput of this server vs a bare MCP SDK server.
 *
 *   npm run bench:mcp                       (BENCH_SECONDS=30 per server, BENCH_CLIENTS=8, BENCH_ROUNDS=4)
 *   BENCH_SECONDS=6 npm run bench:mcp
 *
 * The two servers take turns: after one uncounted warm-up turn of each (so neither is measured while
 * its code is still being compiled), BENCH_ROUNDS rounds each run this app (createApp, in-process,
 * against DATABASE_URL or an embedded Postgres in a temp dir) and the bare server
 * (bench/mcp-baseline.server.ts: same SDK, same database, plain pg, no auth/policy/encryption) for
 * BENCH_SECONDS / BENCH_ROUNDS each, the order alternating from round to round. Taking turns
 * cancels the drift of a shared machine's speed, which on a 2-core VM moves either figure by ±20%
 * from one half-minute to the next; only one server is up at a time, so they never compete for CPU
 * or for the embedded database's single connection.
 * N users sign up once; in every round N MCP SDK clients (in a worker thread) seed 20 tasks each and
 * then alternate habits.create and todo.list. Writes bench/results/mcp.json; the last line printed
 * is a one-line summary.
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

/** One turn of one server: the load's result and what the server's thread spent meanwhile. */
interface Turn {
  result: LoadResult;
  busyMs: number;
  cpuMs?: number;
}

/** The figures of all turns of one server taken together. */
function figures(turns: Turn[]): Figures {
  const latencies = Float64Array.from(turns.flatMap((t) => [...t.result.latenciesMs]));
  const latency = summarize(latencies.sort());
  const sum = (f: (t: Turn) => number) => turns.reduce((s, t) => s + f(t), 0);
  const calls = sum((t) => t.result.calls);
  const allCalls = sum((t) => t.result.allCalls);
  const elapsedMs = sum((t) => t.result.elapsedMs);
  const cpuKnown = turns.every((t) => t.cpuMs !== undefined);
  return {
    calls,
    errors: sum((t) => t.result.errors),
    callsPerSec: round(calls / (elapsedMs / 1000)),
    p50Ms: latency.p50Ms,
    p95Ms: latency.p95Ms,
    p99Ms: latency.p99Ms,
    meanMs: latency.meanMs,
    serverBusyMsPerCall: round(allCalls ? sum((t) => t.busyMs) / allCalls : 0),
    serverCpuMsPerCall: cpuKnown && allCalls ? round(sum((t) => t.cpuMs ?? 0) / allCalls) : undefined,
    firstError: turns.find((t) => t.result.firstError)?.result.firstError,
  };
}

/** Runs the load in a worker thread and measures this (the server's) thread meanwhile. */
async function measure(job: LoadJob): Promise<Turn> {
  const before = performance.eventLoopUtilization();
  const cpuBefore = mainThreadCpuMs();
  const result = await runLoad(job);
  const used = performance.eventLoopUtilization(before);
  const cpuAfter = mainThreadCpuMs();
  const cpuMs = cpuBefore === undefined || cpuAfter === undefined ? undefined : cpuAfter - cpuBefore;
  return { result, busyMs: used.active, cpuMs };
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

/** Registers and logs in `count` users; returns their access tokens. */
async function signUp(base: string, count: number): Promise<string[]> {
  const tokens: string[] = [];
  const stamp = Date.now().toString(36);
  for (let i = 0; i < count; i++) {
    const email = `bench.${stamp}.${i}@example.com`;
    const password = `Bench-${stamp}-horse-${i}`;
    const reg = await postJson(`${base}/api/v1/auth/register`, { email, password });
    if (reg.status !== 201) throw new Error(`register failed: ${reg.status} ${JSON.stringify(reg.json)}`);
    const login = await postJson(`${base}/api/v1/auth/login`, { email, password });
    if (login.status !== 200) throw new Error(`login failed: ${login.status} ${JSON.stringify(login.json)}`);
    if (!login.json?.accessToken) throw new Error('login answered no accessToken');
    tokens.push(login.json.accessToken);
  }
  return tokens;
}

async function main(): Promise<void> {
  const seconds = benchSeconds();
  const clients = intEnv('BENCH_CLIENTS', 8, 1, 256);
  const rounds = intEnv('BENCH_ROUNDS', 4, 1, 20);
  const turnMs = Math.max(1000, Math.round((seconds * 1000) / rounds));
  const warmupMs = Math.min(2000, Math.max(500, seconds * 100));
  const warmupTurnMs = Math.min(5000, Math.max(1000, seconds * 150));
  const seedTasks = 20;
  // both servers on DATABASE_URL's own database (the baseline's tables are bench_*), or embedded
  const db = await benchDatabase('mcp', {
    describe: { embedded: 'embedded (PGlite, 1 connection)', server: 'DATABASE_URL' },
    shareServerDatabase: true,
  });
  const database = db.description;
  const poolSize = db.embedded ? 1 : 10;
  say(
    `bench:mcp  ${clients} clients, ${seconds} s per server in ${rounds} alternating turns ` +
      `(+${warmupMs} ms warm-up each, after an uncounted ${warmupTurnMs} ms turn of each), database: ${database}`,
  );

  try {
    let tokens: string[] | undefined;
    const anonymous = Array.from({ length: clients }, () => null);
    /** One turn of this server: a fresh app instance on the same database. */
    const oursTurn = async (measureMs: number): Promise<Turn> => {
      const bench = await bootBenchApp(db, { TOOL_RATE_LIMIT: '1000000', MCP_MAX_SESSIONS_PER_USER: '1000' });
      try {
        tokens ??= await signUp(bench.base, clients);
        return await measure({ url: `${bench.base}/mcp`, tokens, warmupMs, measureMs, seedTasks });
      } finally {
        await bench.close();
      }
    };
    /** One turn of the bare MCP SDK server. */
    const bareTurn = async (measureMs: number): Promise<Turn> => {
      const bare = await startBaselineServer(db.url, poolSize);
      try {
        return await measure({ url: bare.url, tokens: anonymous, warmupMs, measureMs, seedTasks });
      } finally {
        await bare.close();
      }
    };

    // a turn of each that is not counted, so neither is measured while its code is still compiling
    await oursTurn(warmupTurnMs);
    await bareTurn(warmupTurnMs);
    const oursTurns: Turn[] = [];
    const baselineTurns: Turn[] = [];
    const turnRatios: number[] = [];
    for (let r = 1; r <= rounds; r++) {
      // who goes first alternates (ours, bare | bare, ours | …): order effects cancel out
      if (r % 2 === 1) {
        oursTurns.push(await oursTurn(turnMs));
        baselineTurns.push(await bareTurn(turnMs));
      } else {
        baselineTurns.push(await bareTurn(turnMs));
        oursTurns.push(await oursTurn(turnMs));
      }
      const [o, b] = [figures(oursTurns.slice(-1)), figures(baselineTurns.slice(-1))];
      turnRatios.push(b.callsPerSec > 0 ? round(o.callsPerSec / b.callsPerSec, 3) : 0);
      say(
        `turn ${r}/${rounds}: ours ${o.callsPerSec} calls/s, bare ${b.callsPerSec} calls/s, ratio ${turnRatios.at(-1)}`,
      );
    }
    const ours = figures(oursTurns);
    const baseline = figures(baselineTurns);
    say(line('ours', ours));
    say(line('baseline', baseline));

    const ratio = baseline.callsPerSec > 0 ? round(ours.callsPerSec / baseline.callsPerSec, 3) : 0;
    const result = {
      bench: 'mcp',
      ours,
      baseline,
      ratio,
      /** ours ÷ bare of each turn: how much the ratio moved with the machine during the run. */
      turnRatios,
      /** baseline ÷ ours server busy time per call: the throughput ratio a CPU-bound server would reach. */
      serverCostRatio:
        ours.serverBusyMsPerCall > 0 ? round(baseline.serverBusyMsPerCall / ours.serverBusyMsPerCall, 3) : 0,
      /** baseline ÷ ours server main-thread CPU per call. */
      serverCpuRatio:
        ours.serverCpuMsPerCall && baseline.serverCpuMsPerCall
          ? round(baseline.serverCpuMsPerCall / ours.serverCpuMsPerCall, 3)
          : undefined,
      target: TARGET,
      meetsTarget: ratio >= TARGET,
      clients,
      seconds,
      rounds,
      warmupMs,
      warmupTurnMs,
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
