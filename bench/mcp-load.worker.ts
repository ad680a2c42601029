import { parentPort, workerData } from 'node:worker_threads';
import { performance } from 'node:perf_hooks';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';

/**
 * The load generator of bench:mcp, in a worker thread so the clients do not share the server's
 * event loop. N MCP SDK clients, each with its own session, alternate habits.create and todo.list
 * until the deadline; latencies of the measured phase (after the warm-up) are sent back.
 */
export interface LoadJob {
  url: string;
  /** One bearer token per client; null for the bare server (no auth). */
  tokens: Array<string | null>;
  warmupMs: number;
  measureMs: number;
  /** todo.create calls per client before the run, so todo.list has rows to return. */
  seedTasks: number;
}

export interface LoadResult {
  latenciesMs: Float64Array;
  calls: number;
  /** Every tool call made, seeding and warm-up included (for the server's busy time per call). */
  allCalls: number;
  errors: number;
  firstError?: string;
  elapsedMs: number;
}

async function connect(url: string, token: string | null): Promise<Client> {
  const transport = new StreamableHTTPClientTransport(new URL(url), {
    requestInit: token ? { headers: { authorization: `Bearer ${token}` } } : undefined,
  });
  const client = new Client({ name: 'bench-mcp', version: '1.0.0' });
  await client.connect(transport);
  return client;
}

async function run(job: LoadJob): Promise<LoadResult> {
  const clients = await Promise.all(job.tokens.map((token) => connect(job.url, token)));
  await Promise.all(
    clients.map(async (client, c) => {
      for (let i = 0; i < job.seedTasks; i++) {
        const r = (await client.callTool({
          name: 'todo.create',
          arguments: { title: `Seed task ${c}-${i}` },
        })) as CallToolResult;
        if (r.isError) throw new Error(`seeding failed: ${JSON.stringify(r.content)}`);
      }
    }),
  );

  const latencies: number[] = [];
  let allCalls = clients.length * job.seedTasks;
  let errors = 0;
  let firstError: string | undefined;
  const start = performance.now();
  const measureFrom = start + job.warmupMs;
  const deadline = measureFrom + job.measureMs;
  await Promise.all(
    clients.map(async (client, c) => {
      for (let i = 0; ; i++) {
        const t0 = performance.now();
        if (t0 >= deadline) return;
        let failed = false;
        try {
          const r = (await (i % 2 === 0
            ? client.callTool({ name: 'habits.create', arguments: { title: `Habit ${c}-${i}` } })
            : client.callTool({ name: 'todo.list', arguments: { limit: 20 } }))) as CallToolResult;
          if (r.isError) {
            failed = true;
            firstError ??= JSON.stringify(r.content).slice(0, 300);
          }
        } catch (error) {
          failed = true;
          firstError ??= String(error).slice(0, 300);
        }
        const t1 = performance.now();
        allCalls++;
        if (t0 >= measureFrom && t1 <= deadline) {
          latencies.push(t1 - t0);
          if (failed) errors++;
        }
      }
    }),
  );
  const elapsedMs = Math.min(performance.now(), deadline) - measureFrom;
  await Promise.allSettled(clients.map((client) => client.close()));
  return {
    latenciesMs: Float64Array.from(latencies),
    calls: latencies.length,
    allCalls,
    errors,
    firstError,
    elapsedMs,
  };
}

if (parentPort) {
  const port = parentPort;
  run(workerData as LoadJob).then(
    (result) => port.postMessage({ ok: true, result }, [result.latenciesMs.buffer as ArrayBuffer]),
    (error: unknown) => port.postMessage({ ok: false, error: String((error as Error)?.stack ?? error) }),
  );
}
