/**
 * bench:runner — the persona runner's throughput and overhead with the scripted brain.
 *
 *   npm run bench:runner                      (200 personas, concurrency 2, 4 and 8, 30 s each at most)
 *   BENCH_SECONDS=10 BENCH_PERSONAS=50 npm run bench:runner      (a quick check)
 *
 * Boots the app in-process (createApp; runner not scheduled, auth and tool rate limits raised) on a
 * dedicated database on DATABASE_URL's server (dropped at the end), or on the embedded Postgres
 * (PGlite, one connection) in a temp dir. Makes BENCH_PERSONAS personas through the real persona
 * service (real accounts, derived passwords, personal spaces and keys), then for each concurrency
 * level marks them all due and lets a RunnerService with that PERSONA_CONCURRENCY drain them — each
 * tick logs in over HTTP, opens an MCP session to /mcp, plays the scripted day, rates it — until
 * every persona ticked once or BENCH_SECONDS passed (then it stops claiming and lets running ticks
 * end).
 *
 * Measured per level: ticks per minute, tool calls per second, runner overhead per tool call
 * (summed tick wall time minus the time the server spent inside /mcp requests, from the server's
 * own http_request_duration_seconds histogram, POST and DELETE on /mcp; also shown without the
 * login's server time), and peak RSS (sampled every 100 ms; process maxRSS overall).
 * Writes bench/results/runner.json; the last line printed is a one-line summary.
 */
import { performance } from 'node:perf_hooks';
import { HttpAdapterHost } from '@nestjs/core';
import type { Histogram } from 'prom-client';
import { DataSource } from 'typeorm';
import { loadConfig } from '../src/config/app-config.js';
import { HealthContributors } from '../src/observability/health-contributors.js';
import { MetricsService } from '../src/observability/metrics.service.js';
import { derivePersonaPassword } from '../src/personas/persona-password.js';
import { PersonasService } from '../src/personas/personas.service.js';
import { BrainSelector } from '../src/runner/brains/brain.selector.js';
import { PersonaScheduleService } from '../src/personas/schedule/persona-schedule.service.js';
import { RunnerService } from '../src/runner/runner.service.js';
import { TickPipeline } from '../src/runner/tick/tick.pipeline.js';
import {
  benchDatabase,
  benchSeconds,
  bootBenchApp,
  intEnv,
  loadAverage,
  round,
  runBench,
  say,
  writeResult,
} from './bench-support.js';

const LEVELS = [2, 4, 8];
const ARCHETYPES = [
  'adhd-student',
  'ceo-busy',
  'creative-parent',
  'solo-dev',
  'researcher',
  'freelancer',
  'overwhelmed-newbie',
];
const MIXES = [
  { todo: 3, notes: 2, journal: 1 },
  { habits: 3, mood: 2, todo: 1 },
  { calendar: 3, contacts: 2, notes: 1 },
  { journal: 3, notes: 2, habits: 1, spaces: 1 },
];
const PROMPT =
  'You are a synthetic benchmark persona. You plan your day, write short notes, keep a habit or two ' +
  'and rate every module you used honestly at the end of each session.';

const mb = (bytes: number) => round(bytes / 1024 / 1024, 1);

/** Seconds the server spent in requests matching `route` and `methods` (histogram sums). */
async function serverSeconds(metrics: MetricsService, route: string, methods: string[]): Promise<number> {
  const histogram = metrics.registry.getSingleMetric('http_request_duration_seconds') as
    Histogram | undefined;
  if (!histogram) return 0;
  const { values } = await histogram.get();
  return values
    .filter(
      (v) =>
        v.metricName === 'http_request_duration_seconds_sum' &&
        v.labels.route === route &&
        methods.includes(String(v.labels.method)),
    )
    .reduce((sum, v) => sum + v.value, 0);
}

async function main(): Promise<void> {
  const seconds = benchSeconds();
  const personaCount = intEnv('BENCH_PERSONAS', 200, 1, 10_000);
  const db = await benchDatabase('runner', {
    describe: {
      embedded: 'embedded (PGlite in a temp dir, 1 connection: every statement of every tick shares it)',
      server: 'PostgreSQL (dedicated database on DATABASE_URL’s server)',
    },
  });
  const database = db.description;
  const load = loadAverage();
  say(
    `bench:runner  ${personaCount} personas, scripted brain, concurrency ${LEVELS.join('/')}, ≤ ${seconds} s each`,
  );
  say(`  database: ${database}; machine load average ${load.join(' / ')}`);

  try {
    const bench = await bootBenchApp(db, { PERSONA_BRAIN: 'scripted', TOOL_RATE_LIMIT: '1000000' });
    const { app, config, env } = bench;
    const ds = app.get(DataSource);
    const metrics = app.get(MetricsService);
    try {
      const setupStarted = performance.now();
      const personas = app.get(PersonasService);
      const ids: string[] = [];
      const batch = db.embedded ? 4 : 8;
      for (let i = 0; i < personaCount; i += batch) {
        const made = await Promise.all(
          Array.from({ length: Math.min(batch, personaCount - i) }, async (_, j) => {
            const n = i + j;
            const email = `persona.bench${n}@${config.personaEmailDomain}`;
            const { persona } = await personas.upsert({
              email,
              name: `Bench ${n}`,
              password: derivePersonaPassword(email, config.personaSeedSecret),
              archetype: ARCHETYPES[n % ARCHETYPES.length],
              systemPrompt: PROMPT,
              moduleMix: MIXES[n % MIXES.length],
              tickCadence: 'daily',
              timezone: ['UTC', 'Europe/Berlin', 'America/New_York', 'Asia/Tokyo'][n % 4],
            });
            return persona.userId;
          }),
        );
        ids.push(...made);
      }
      say(`  ${ids.length} personas created in ${round((performance.now() - setupStarted) / 1000, 1)} s`);

      const levels = [];
      for (const concurrency of LEVELS) {
        await ds.query(
          `UPDATE personas SET next_due_at = NULL, consecutive_failures = 0,
                  lease_owner = NULL, lease_expires_at = NULL, lease_token = NULL`,
        );
        const levelConfig = loadConfig({ ...env, PERSONA_CONCURRENCY: String(concurrency) });
        const runner = new RunnerService(
          levelConfig,
          app.get(PersonaScheduleService),
          app.get(TickPipeline),
          app.get(BrainSelector),
          app.get(HealthContributors),
          app.get(HttpAdapterHost),
          `bench-c${concurrency}`,
        );
        const mcpBefore = await serverSeconds(metrics, '/mcp', ['POST', 'DELETE']);
        const loginBefore = await serverSeconds(metrics, '/api/v1/auth/login', ['POST']);
        let peakRss = process.memoryUsage().rss;
        const sampler = setInterval(() => {
          peakRss = Math.max(peakRss, process.memoryUsage().rss);
        }, 100);
        const stopper = setTimeout(() => runner.pause(), seconds * 1000);
        const started = performance.now();
        const summary = await runner.runDue();
        const wallSeconds = (performance.now() - started) / 1000;
        clearTimeout(stopper);
        clearInterval(sampler);
        const mcpSeconds = (await serverSeconds(metrics, '/mcp', ['POST', 'DELETE'])) - mcpBefore;
        const loginSeconds = (await serverSeconds(metrics, '/api/v1/auth/login', ['POST'])) - loginBefore;
        const tickSeconds = summary.results.reduce((sum, r) => sum + r.durationMs, 0) / 1000;
        const toolCalls = summary.toolCalls;
        const level = {
          concurrency,
          ticks: summary.ticks,
          ok: summary.ok,
          failed: summary.failed,
          timedOut: summary.timedOut,
          allTickedOnce: summary.ticks >= ids.length,
          wallSeconds: round(wallSeconds),
          ticksPerMinute: round((summary.ticks / wallSeconds) * 60, 1),
          toolCalls,
          toolCallsPerSecond: round(toolCalls / wallSeconds, 1),
          meanTickMs: round((tickSeconds * 1000) / Math.max(1, summary.ticks), 1),
          serverSecondsInMcp: round(mcpSeconds),
          serverSecondsInLogin: round(loginSeconds),
          runnerOverheadPerToolCallMs: round(((tickSeconds - mcpSeconds) * 1000) / Math.max(1, toolCalls), 1),
          runnerOverheadPerToolCallExclLoginMs: round(
            ((tickSeconds - mcpSeconds - loginSeconds) * 1000) / Math.max(1, toolCalls),
            1,
          ),
          peakRssMb: mb(peakRss),
        };
        levels.push(level);
        say(
          `  concurrency ${concurrency}: ${level.ticks} ticks (${level.ok} ok) in ${level.wallSeconds} s → ` +
            `${level.ticksPerMinute} ticks/min, ${level.toolCallsPerSecond} tool calls/s, ` +
            `overhead ${level.runnerOverheadPerToolCallMs} ms/tool call (${level.runnerOverheadPerToolCallExclLoginMs} ms without login), ` +
            `peak RSS ${level.peakRssMb} MB`,
        );
      }

      const maxRssMb = mb(process.resourceUsage().maxRSS * 1024);
      const result = {
        bench: 'runner',
        database,
        personas: ids.length,
        brain: 'scripted',
        benchSeconds: seconds,
        tickMaxTurns: config.tickMaxTurns,
        levels,
        processMaxRssMb: maxRssMb,
        method: {
          ticksPerMinute: 'ticks finished ÷ wall time of the level (claiming, pool and finishing included)',
          runnerOverheadPerToolCall:
            '(sum of tick wall times − server time inside POST/DELETE /mcp) ÷ tool calls; the second figure also subtracts the login’s server time (argon2)',
          serverTime:
            'http_request_duration_seconds histogram of this server (route /mcp, /api/v1/auth/login)',
          stop: 'each level ends when every persona ticked once or BENCH_SECONDS passed (then claiming stops and running ticks finish)',
        },
        loadAverageAtStart: load,
        node: process.version,
        finishedAt: new Date().toISOString(),
      };
      writeResult('runner', result);
      say(
        `bench:runner ${ids.length} personas: ` +
          levels
            .map(
              (l) =>
                `c${l.concurrency} ${l.ticksPerMinute} ticks/min, ${l.toolCallsPerSecond} calls/s, ${l.runnerOverheadPerToolCallMs} ms overhead/call`,
            )
            .join('; ') +
          `; max RSS ${maxRssMb} MB → bench/results/runner.json`,
      );
    } finally {
      await bench.close();
    }
  } finally {
    await db.drop();
  }
}

runBench('runner', main);
