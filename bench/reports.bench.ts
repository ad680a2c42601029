/**
 * bench:reports — the report API and the dashboard's page loads against a large history.
 *
 *   npm run bench:reports                    (BENCH_SECONDS=30, BENCH_TICKS=10000, BENCH_ACTIONS_PER_TICK=30)
 *   BENCH_SECONDS=5 npm run bench:reports
 *
 * Boots this app in-process (createApp) against DATABASE_URL, or an embedded Postgres in a temp dir;
 * seeds BENCH_PERSONAS personas and BENCH_TICKS ticks spread over 120 days (one every ~17 minutes),
 * each with BENCH_ACTIONS_PER_TICK tool calls (5% failing) and 3 module ratings, then VACUUM ANALYZE
 * (what autovacuum does on its own to these append-only tables).
 * Each endpoint is called over HTTP with an admin token, round-robin, for BENCH_SECONDS in all;
 * per endpoint it prints p50/p95/max. It also EXPLAINs every SQL statement the report repository
 * sent and lists sequential scans of the persona tables (an index scan is expected everywhere;
 * the planner may still prefer a seq scan where a range covers most of a table).
 * Writes bench/results/reports.json; the last line printed is a one-line summary.
 */
import { performance } from 'node:perf_hooks';
import pg from 'pg';
import { DataSource } from 'typeorm';
import {
  adminToken,
  benchDatabase,
  benchSeconds,
  bootBenchApp,
  intEnv,
  runBench,
  say,
  summarize,
  writeResult,
} from './bench-support.js';
import type { BenchApp } from './bench-support.js';

/**
 * What the dashboard loads by default (28-day reports, timeline pages, a tick) must answer within this
 * at p95 for the bench to count as met; the year-long reports are measured and printed too, outside
 * the budget (they aggregate every row of the seeded history).
 */
const TARGET_P95_MS = 500;
const PERSONA_TABLES = new Set(['persona_ticks', 'persona_actions', 'persona_feedback']);

interface PlanNode {
  'Node Type': string;
  'Relation Name'?: string;
  'Index Name'?: string;
  Plans?: PlanNode[];
}

function scans(node: PlanNode, out: string[] = []): string[] {
  if (node['Relation Name'] && PERSONA_TABLES.has(node['Relation Name'])) {
    out.push(
      `${node['Node Type']} ${node['Relation Name']}${node['Index Name'] ? ` (${node['Index Name']})` : ''}`,
    );
  }
  for (const child of node.Plans ?? []) scans(child, out);
  return out;
}

async function main(): Promise<void> {
  const seconds = benchSeconds();
  const tickCount = intEnv('BENCH_TICKS', 10_000, 100, 1_000_000);
  const actionsPerTick = intEnv('BENCH_ACTIONS_PER_TICK', 30, 1, 200);
  const personaCount = intEnv('BENCH_PERSONAS', 20, 1, 500);

  // never seed a real database: with DATABASE_URL, a throwaway database on that server, dropped at the end
  const db = await benchDatabase('reports', {
    describe: { embedded: 'embedded (PGlite, 1 connection)', server: 'DATABASE_URL (throwaway database)' },
  });
  const database = db.description;
  say(
    `bench:reports  ${tickCount} ticks × ${actionsPerTick} calls, ${personaCount} personas, ${seconds} s, database: ${database}`,
  );

  let bench: BenchApp | undefined;
  try {
    bench = await bootBenchApp(db);
    const { app, base } = bench;
    const ds = app.get(DataSource);
    const stamp = Date.now().toString(36);

    // ---- seed ------------------------------------------------------------------------------
    const seedStart = Date.now();
    const token = await adminToken(bench);
    // persona rows straight into the tables: the bench measures reads, not sign-up
    await ds.query(
      `INSERT INTO users (email, password_hash, name, kind, tier, email_verified)
       SELECT 'bench.p' || i || '.${stamp}@mana.test', 'not-a-hash', 'Bench persona ' || i, 'persona', 'founder', true
       FROM generate_series(1, $1) i`,
      [personaCount],
    );
    await ds.query(
      `INSERT INTO personas (user_id, archetype, system_prompt, module_mix)
       SELECT id, 'solo-dev', 'A bench persona that exercises every module of the app.', '{"todo": 1}'::jsonb
       FROM users WHERE email LIKE 'bench.p%.${stamp}@mana.test'`,
    );
    const tools = [
      'habits.create',
      'habits.list',
      'habits.update',
      'habits.archive',
      'todo.create',
      'todo.list',
      'todo.complete',
      'notes.create',
      'notes.search',
      'journal.add',
      'mood.log',
      'calendar.create_event',
      'contacts.search',
      'spaces.list',
    ];
    await ds.query(
      `INSERT INTO persona_ticks (persona_id, status, brain, started_at, finished_at, tool_calls,
                                  tokens_in, tokens_out, cost_usd)
       SELECT p.ids[1 + i % array_length(p.ids, 1)],
              CASE WHEN i % 50 = 0 THEN 'failed' WHEN i % 97 = 0 THEN 'timed_out' ELSE 'ok' END,
              'scripted', now() - i * interval '17 minutes', now() - i * interval '17 minutes' + interval '40 seconds',
              $2, 1200, 300, 0.0123
       FROM generate_series(1, $1) i,
            (SELECT array_agg(user_id) AS ids FROM personas p JOIN users u ON u.id = p.user_id
             WHERE u.email LIKE 'bench.p%.${stamp}@mana.test') p`,
      [tickCount, actionsPerTick],
    );
    await ds.query(
      `INSERT INTO persona_actions (id, persona_id, tick_id, seq, tool_name, module, input_hash, result,
                                    error_kind, error_message, latency_ms, created_at)
       SELECT t.id || '-' || s || '-' || tool, t.persona_id, t.id, s, tool, split_part(tool, '.', 1), 'h',
              CASE WHEN r < 0.05 THEN 'error' ELSE 'ok' END,
              CASE WHEN r < 0.02 THEN 'tool' WHEN r < 0.04 THEN 'protocol' WHEN r < 0.05 THEN 'timeout' END,
              CASE WHEN r < 0.05 THEN 'bench failure ' || s END,
              (10 + r * 400)::int, t.started_at + s * interval '1 second'
       FROM persona_ticks t
       CROSS JOIN generate_series(1, $1) s
       CROSS JOIN LATERAL (SELECT ($2::text[])[1 + abs(hashtext(t.id::text || s)) % $3] AS tool,
                                  (abs(hashtext(s || t.id::text)) % 10000) / 10000.0 AS r) x
       ORDER BY t.started_at, s`,
      [actionsPerTick, tools, tools.length],
    );
    await ds.query(
      `INSERT INTO persona_feedback (id, persona_id, tick_id, module, rating, notes, created_at)
       SELECT t.id || '-' || m, t.persona_id, t.id, m, 1 + abs(hashtext(t.id::text || m)) % 5,
              CASE WHEN abs(hashtext(m || t.id::text)) % 3 = 0 THEN NULL ELSE 'bench note' END,
              t.finished_at
       FROM persona_ticks t CROSS JOIN unnest(ARRAY['todo', 'notes', 'habits']) m
       ORDER BY t.started_at, m`,
    );
    // what autovacuum does to append-only tables on its own (PostgreSQL 13+ vacuums after inserts):
    // statistics for the planner and the visibility map that index-only scans rely on
    await ds.query('VACUUM ANALYZE persona_ticks');
    await ds.query('VACUUM ANALYZE persona_actions');
    await ds.query('VACUUM ANALYZE persona_feedback');
    const [{ ticks, actions, feedback }] = await ds.query(
      `SELECT (SELECT count(*) FROM persona_ticks)::int AS ticks, (SELECT count(*) FROM persona_actions)::int AS actions,
              (SELECT count(*) FROM persona_feedback)::int AS feedback`,
    );
    const seedMs = Date.now() - seedStart;
    say(`seeded ${ticks} ticks, ${actions} actions, ${feedback} ratings in ${seedMs} ms`);

    // ---- endpoints ---------------------------------------------------------------------------
    const [{ persona_id: somePersona, id: someTick }] = await ds.query(
      `SELECT persona_id, id FROM persona_ticks ORDER BY started_at DESC LIMIT 1`,
    );
    const get = async (path: string): Promise<{ status: number; body: unknown; ms: number }> => {
      const started = performance.now();
      const res = await fetch(`${base}${path}`, { headers: { authorization: `Bearer ${token}` } });
      const text = await res.text();
      const body: unknown = res.headers.get('content-type')?.includes('json') ? JSON.parse(text) : text;
      return { status: res.status, body, ms: performance.now() - started };
    };
    // 20 pages deep into the timeline (1000 ticks back): keyset paging must not slow down
    let deepCursor = '';
    for (let i = 0; i < 20; i++) {
      const page = await get(`/api/v1/reports/ticks?limit=50${deepCursor ? `&cursor=${deepCursor}` : ''}`);
      const next = (page.body as { nextCursor?: string | null }).nextCursor;
      if (!next) break;
      deepCursor = next;
    }
    const yearAgo = new Date(Date.now() - 365 * 86_400_000).toISOString();
    const endpoints: Array<[string, string, boolean]> = [
      ['overview', '/api/v1/reports/overview', true],
      ['modules (week, 28 d)', '/api/v1/reports/modules', true],
      ['modules (day, 365 d)', `/api/v1/reports/modules?bucket=day&from=${yearAgo}`, false],
      ['tools (28 d)', '/api/v1/reports/tools', true],
      ['tools (365 d, -p95)', `/api/v1/reports/tools?from=${yearAgo}&sort=-p95`, false],
      ['said-vs-did (28 d)', '/api/v1/reports/said-vs-did', true],
      ['said-vs-did flagged', '/api/v1/reports/said-vs-did?flagged=true', true],
      ['ticks (page 1)', '/api/v1/reports/ticks', true],
      ['ticks (deep page)', `/api/v1/reports/ticks?limit=50&cursor=${deepCursor}`, true],
      ['ticks (persona)', `/api/v1/reports/ticks?persona=${somePersona}`, true],
      ['ticks (failed)', '/api/v1/reports/ticks?status=failed', true],
      ['tick detail', `/api/v1/reports/ticks/${someTick}`, true],
      ['dashboard /admin', '/admin', true],
    ];

    // capture the SQL the report repository sends (at the pg driver, under TypeORM), to EXPLAIN it afterwards
    const captured = new Map<string, Array<{ sql: string; params: unknown[] }>>();
    let current = '';
    const clientQuery = pg.Client.prototype.query;
    const capture = function (this: pg.Client, ...args: unknown[]) {
      const [sql, params] = args as [unknown, unknown];
      if (current && typeof sql === 'string' && !captured.get(current)?.some((q) => q.sql === sql)) {
        captured.set(current, [
          ...(captured.get(current) ?? []),
          { sql, params: Array.isArray(params) ? params : [] },
        ]);
      }
      return (clientQuery as (...a: unknown[]) => unknown).apply(this, args);
    };
    pg.Client.prototype.query = capture as typeof clientQuery;

    const samples = new Map<string, number[]>(endpoints.map(([name]) => [name, []]));
    const deadline = Date.now() + seconds * 1000;
    let rounds = 0;
    while (Date.now() < deadline || rounds < 3) {
      for (const [name, path] of endpoints) {
        current = name;
        const res = await get(path);
        if (res.status !== 200) throw new Error(`${name}: ${res.status} ${JSON.stringify(res.body)}`);
        samples.get(name)?.push(res.ms);
      }
      rounds++;
    }
    current = '';
    pg.Client.prototype.query = clientQuery;

    const results = [];
    for (const [name, , budgeted] of endpoints) {
      const latency = summarize(samples.get(name) ?? [], 1);
      const plans: string[] = [];
      for (const q of captured.get(name) ?? []) {
        if (!/^\s*(WITH|SELECT)/i.test(q.sql) || !/persona_/.test(q.sql)) continue;
        if (process.env.BENCH_EXPLAIN_ANALYZE === '1') {
          // the same session settings as ReportsRepository.read()
          const rows: Array<{ 'QUERY PLAN': string }> = await ds.transaction(async (m) => {
            await m.query(`SET LOCAL jit = off`);
            await m.query(`SET LOCAL work_mem = '32MB'`);
            return m.query(`EXPLAIN (ANALYZE, BUFFERS) ${q.sql}`, q.params);
          });
          say(`--- ${name}\n${rows.map((r) => r['QUERY PLAN']).join('\n')}`);
        }
        const [row] = await ds.query(`EXPLAIN (FORMAT JSON) ${q.sql}`, q.params);
        const plan = (row['QUERY PLAN'] as Array<{ Plan: PlanNode }>)[0].Plan;
        plans.push(...scans(plan));
      }
      const figure = {
        endpoint: name,
        budgeted,
        calls: latency.samples,
        p50Ms: latency.p50Ms,
        p95Ms: latency.p95Ms,
        maxMs: latency.maxMs,
        scans: [...new Set(plans)],
        seqScans: [...new Set(plans.filter((p) => p.startsWith('Seq Scan')))],
      };
      results.push(figure);
      say(
        `${name.padEnd(22)} p50 ${String(figure.p50Ms).padStart(7)} ms   p95 ${String(figure.p95Ms).padStart(7)} ms   ` +
          `max ${String(figure.maxMs).padStart(7)} ms ${budgeted ? ' ' : '*'} ${figure.seqScans.length ? `SEQ: ${figure.seqScans.join(', ')}` : 'indexes only'}`,
      );
    }
    await bench.close();

    say('(* outside the p95 budget: year-long aggregates over the whole seeded history)');
    const worst = results.filter((r) => r.budgeted).reduce((a, b) => (b.p95Ms > a.p95Ms ? b : a));
    const seqScans = results.filter((r) => r.seqScans.length > 0).map((r) => r.endpoint);
    const result = {
      bench: 'reports',
      ticks,
      actions,
      feedback,
      personas: personaCount,
      seconds,
      rounds,
      seedMs,
      targetP95Ms: TARGET_P95_MS,
      meetsTarget: worst.p95Ms <= TARGET_P95_MS,
      endpoints: results,
      database,
      node: process.version,
      finishedAt: new Date().toISOString(),
    };
    writeResult('reports', result);
    say(
      `bench:reports ${ticks} ticks / ${actions} actions: slowest default-view p95 ${worst.p95Ms} ms (${worst.endpoint}), ` +
        `target <= ${TARGET_P95_MS} ms: ${result.meetsTarget ? 'met' : 'NOT met'}; ` +
        `seq scans: ${seqScans.length ? seqScans.join(', ') : 'none'}`,
    );
  } finally {
    await bench?.close().catch(() => undefined);
    await db.drop();
  }
}

runBench('reports', main);
