/**
 * bench:admin — latency of the personas admin API at scale.
 *
 *   npm run bench:admin                              (10,000 personas, 2,000,000 actions)
 *   BENCH_PERSONAS=1000 BENCH_ACTIONS=100000 npm run bench:admin   (a quick check)
 *
 * With DATABASE_URL it creates a dedicated database on that server (dropped at the end); without,
 * it runs the embedded Postgres (PGlite) in a temp dir, which is much slower to fill and to query:
 * the targets are meant for a real PostgreSQL.
 * The app is booted in-process (createApp, migrations at boot, runner off); personas, ticks, actions
 * and feedback are generated with set-based SQL (generate_series; one precomputed argon2 hash for
 * every account); then GET /api/v1/personas/admin (first page) and GET /api/v1/personas/admin/:id
 * are timed over real HTTP with an admin token, and EXPLAIN (ANALYZE, BUFFERS) of the exact SQL the
 * API runs shows which indexes it uses.
 * Writes bench/results/admin.json and bench/results/admin-explain.txt; the last line printed is a
 * one-line summary. Targets: list page p95 < 100 ms, detail p95 < 50 ms.
 */
import { performance } from 'node:perf_hooks';
import { DataSource } from 'typeorm';
import { PasswordHasher } from '../src/auth/users/password-hasher.js';
import { PERSONA_SQL } from '../src/personas/personas.repository.js';
import {
  adminToken,
  benchDatabase,
  bootBenchApp,
  intEnv,
  loadAverage,
  round,
  runBench,
  say,
  summarize,
  writeResult,
  writeResultFile,
} from './bench-support.js';
import type { LatencySummary } from './bench-support.js';

const LIST_TARGET_MS = 100;
const DETAIL_TARGET_MS = 50;
const ACTIONS_PER_TICK = 10;
const TICK_SPACING_DAYS = 3;
const CHUNK = 500;
const TOOLS = [
  'todo.create',
  'todo.list',
  'notes.create',
  'notes.search',
  'habits.list',
  'journal.add',
  'calendar.create',
  'mood.log',
];
const MODULES = ['todo', 'notes', 'habits', 'journal', 'mood', 'calendar', 'contacts', 'spaces'];

/** Times `count` sequential GETs (latency, not throughput), after a few warm-up calls. */
async function timeGets(
  base: string,
  token: string,
  paths: () => string,
  count: number,
): Promise<LatencySummary> {
  const get = async () => {
    const path = paths();
    const started = performance.now();
    const res = await fetch(`${base}${path}`, { headers: { authorization: `Bearer ${token}` } });
    await res.arrayBuffer();
    const elapsed = performance.now() - started;
    if (res.status !== 200) throw new Error(`GET ${path} answered ${res.status}`);
    return elapsed;
  };
  for (let i = 0; i < 10; i += 1) await get();
  const latencies: number[] = [];
  for (let i = 0; i < count; i += 1) latencies.push(await get());
  return summarize(latencies);
}

/** A deterministic UUID shaped like a v4 one (the API's id pipe accepts RFC versions only). */
const v4 = (seed: string) => `overlay(overlay(md5(${seed}) placing '4' from 13) placing '8' from 17)::uuid`;
const userId = (i: string) => v4(`'bench-user-' || ${i}`);
const tickId = (i: string, k: string) => v4(`'bench-tick-' || ${i} || '-' || ${k}`);
const tickStart = (i: string, k: string) =>
  `now() - make_interval(days => (${k}) * ${TICK_SPACING_DAYS}, mins => (${i}) % 600)`;

/** Fills the database with set-based SQL, CHUNK personas per statement. */
async function generate(
  ds: DataSource,
  personas: number,
  actionsPerPersona: number,
  hash: string,
): Promise<void> {
  const ticksPerPersona = Math.max(1, Math.ceil(actionsPerPersona / ACTIONS_PER_TICK));
  const tools = `ARRAY[${TOOLS.map((t) => `'${t}'`).join(',')}]`;
  const modules = `ARRAY[${MODULES.map((m) => `'${m}'`).join(',')}]`;
  const prompt =
    'You are a synthetic benchmark persona. You plan your day, write short notes, keep two habits ' +
    'and rate every module you used honestly at the end of each session. ';
  for (let from = 1; from <= personas; from += CHUNK) {
    const to = Math.min(personas, from + CHUNK - 1);
    const started = performance.now();
    await ds.transaction(async (m) => {
      await m.query(
        `INSERT INTO users (id, email, password_hash, name, kind, tier, email_verified, created_at, updated_at)
         SELECT ${userId('i')}, format('persona.bench%s@mana.test', i), $3, 'Bench persona ' || i,
                'persona', 'founder', true, now() - make_interval(mins => $4 - i), now()
           FROM generate_series($1::int, $2::int) i`,
        [from, to, hash, personas],
      );
      await m.query(
        `INSERT INTO personas (user_id, archetype, system_prompt, module_mix, tick_cadence, timezone,
                               last_active_at, next_due_at, created_at, updated_at)
         SELECT ${userId('i')},
                (ARRAY['adhd-student','ceo-busy','creative-parent','solo-dev','researcher','freelancer',
                       'overwhelmed-newbie'])[1 + i % 7],
                $3 || 'Bench persona number ' || i || '.',
                jsonb_build_object('todo', 1 + i % 3, 'notes', 1 + i % 2, 'habits', i % 4),
                (ARRAY['hourly','daily','weekdays'])[1 + i % 3],
                (ARRAY['UTC','Europe/Berlin','America/New_York','Asia/Tokyo','Australia/Melbourne'])[1 + i % 5],
                now() - interval '1 hour', now() + interval '1 day',
                now() - make_interval(mins => $4 - i), now()
           FROM generate_series($1::int, $2::int) i`,
        [from, to, prompt, personas],
      );
      await m.query(
        `INSERT INTO persona_ticks (id, persona_id, status, brain, started_at, finished_at, tool_calls)
         SELECT ${tickId('i', 'k')}, ${userId('i')},
                CASE WHEN (i + k) % 10 = 0 THEN 'failed' ELSE 'ok' END, 'scripted',
                ${tickStart('i', 'k')}, ${tickStart('i', 'k')} + interval '40 seconds', ${ACTIONS_PER_TICK}
           FROM generate_series($1::int, $2::int) i CROSS JOIN generate_series(0, $3::int - 1) k`,
        [from, to, ticksPerPersona],
      );
      await m.query(
        `INSERT INTO persona_actions (id, persona_id, tick_id, seq, tool_name, module, input_hash, result,
                                      error_kind, error_message, latency_ms, created_at)
         SELECT x.tick::text || '-' || x.seq || '-' || x.tool, x.persona, x.tick, x.seq, x.tool,
                split_part(x.tool, '.', 1), md5(x.i || '-' || x.j),
                CASE WHEN x.err THEN 'error' ELSE 'ok' END,
                CASE WHEN x.err THEN 'tool' END,
                CASE WHEN x.err THEN 'validation failed: title is required' END,
                20 + (x.i * 31 + x.j * 17) % 400,
                x.start + make_interval(secs => x.seq * 2)
           FROM (SELECT i, j, ${userId('i')} AS persona, ${tickId('i', `(j / ${ACTIONS_PER_TICK})`)} AS tick,
                        j % ${ACTIONS_PER_TICK} AS seq, (${tools})[1 + (i + j) % ${TOOLS.length}] AS tool,
                        (i * 7 + j) % 13 = 0 AS err, ${tickStart('i', `(j / ${ACTIONS_PER_TICK})`)} AS start
                   FROM generate_series($1::int, $2::int) i CROSS JOIN generate_series(0, $3::int - 1) j) x`,
        [from, to, actionsPerPersona],
      );
      await m.query(
        `INSERT INTO persona_feedback (id, persona_id, tick_id, module, rating, notes, created_at)
         SELECT x.tick::text || '-' || x.module, x.persona, x.tick, x.module, x.rating, x.notes, x.at
           FROM (SELECT ${tickId('i', 'k')} AS tick, ${userId('i')} AS persona,
                        (${modules})[1 + (i + k + m * 3) % ${MODULES.length}] AS module,
                        1 + (i * 3 + k * 5 + m) % 5 AS rating,
                        CASE WHEN (i + k) % 4 = 0 THEN 'bench note for tick ' || k END AS notes,
                        ${tickStart('i', 'k')} + interval '60 seconds' AS at
                   FROM generate_series($1::int, $2::int) i CROSS JOIN generate_series(0, $3::int - 1) k
                        CROSS JOIN generate_series(0, 1) m) x`,
        [from, to, ticksPerPersona],
      );
    });
    say(`  personas ${from}–${to} generated (${Math.round(performance.now() - started)} ms)`);
  }
}

/** EXPLAIN (ANALYZE, BUFFERS) of the API's own SQL; collects index and sequential scans. */
async function explain(ds: DataSource, label: string, sql: string, params: unknown[]) {
  const rows: Array<{ 'QUERY PLAN': string }> = await ds.query(`EXPLAIN (ANALYZE, BUFFERS) ${sql}`, params);
  const text = rows.map((r) => r['QUERY PLAN']).join('\n');
  const indexes = [
    ...text.matchAll(/(?:Index Scan|Index Only Scan|Bitmap Index Scan)(?: Backward)? (?:using|on) (\w+)/g),
  ].map((m) => m[1]);
  const seqScans = [...text.matchAll(/Seq Scan on (\w+)/g)].map((m) => m[1]);
  const time = /Execution Time: ([\d.]+) ms/.exec(text)?.[1];
  return {
    label,
    indexes: [...new Set(indexes)],
    seqScans: [...new Set(seqScans)],
    executionMs: time ? Number(time) : null,
    text,
  };
}

async function main(): Promise<void> {
  const personas = intEnv('BENCH_PERSONAS', 10_000, 10, 1_000_000);
  const actions = intEnv('BENCH_ACTIONS', 2_000_000, personas, 100_000_000);
  const listSamples = intEnv('BENCH_LIST_SAMPLES', 100, 5, 100_000);
  const detailSamples = intEnv('BENCH_DETAIL_SAMPLES', 300, 5, 100_000);
  const actionsPerPersona = Math.max(1, Math.round(actions / personas));
  const db = await benchDatabase('admin', {
    describe: {
      embedded:
        'embedded (PGlite in a temp dir, 1 connection; far slower than PostgreSQL, targets are for a real server)',
      server: `PostgreSQL (dedicated database on DATABASE_URL's server)`,
    },
  });
  const database = db.description;
  const load = loadAverage();
  say(`bench:admin  ${personas} personas, ${actionsPerPersona * personas} actions, database: ${database}`);
  say(
    `  machine load average ${load.join(' / ')} (latency figures are wall-clock and share the CPU with it)`,
  );

  try {
    const bench = await bootBenchApp(db);
    const { app, base } = bench;
    const ds = app.get(DataSource);
    try {
      const genStarted = performance.now();
      const hash = await app.get(PasswordHasher).hash('bench-persona-password-not-used');
      await generate(ds, personas, actionsPerPersona, hash);
      say('  ANALYZE');
      await ds.query('ANALYZE');
      const generationSeconds = round((performance.now() - genStarted) / 1000);
      const [counts] = await ds.query(
        `SELECT (SELECT count(*) FROM personas)::int AS personas, (SELECT count(*) FROM persona_actions)::int AS actions,
                (SELECT count(*) FROM persona_feedback)::int AS feedback, (SELECT count(*) FROM persona_ticks)::int AS ticks`,
      );
      say(`  generated in ${generationSeconds} s: ${JSON.stringify(counts)}`);

      const token = await adminToken(bench);

      const firstPage = (await (
        await fetch(`${base}/api/v1/personas/admin`, { headers: { authorization: `Bearer ${token}` } })
      ).json()) as { items: Array<{ actions7d: number }> };
      const withActivity = firstPage.items.filter((i) => i.actions7d > 0).length;
      say(`  first page: ${firstPage.items.length} personas, ${withActivity} with 7-day activity`);

      const ids: string[] = (
        await ds.query(`SELECT user_id FROM personas ORDER BY random() LIMIT $1`, [
          Math.min(detailSamples, personas),
        ])
      ).map((r: { user_id: string }) => r.user_id);
      let next = 0;
      const baseline = await timeGets(base, token, () => '/api/v1/auth/me', listSamples);
      say(
        `  GET /api/v1/auth/me (fixed HTTP + auth cost)  p50 ${baseline.p50Ms} ms  p95 ${baseline.p95Ms} ms`,
      );
      const list = await timeGets(base, token, () => '/api/v1/personas/admin', listSamples);
      say(`  GET /api/v1/personas/admin (first page, 50)   p50 ${list.p50Ms} ms  p95 ${list.p95Ms} ms`);
      const list200 = await timeGets(
        base,
        token,
        () => '/api/v1/personas/admin?limit=200',
        Math.max(5, listSamples / 2),
      );
      say(`  GET /api/v1/personas/admin?limit=200          p50 ${list200.p50Ms} ms  p95 ${list200.p95Ms} ms`);
      const detail = await timeGets(
        base,
        token,
        () => `/api/v1/personas/admin/${ids[next++ % ids.length]}`,
        detailSamples,
      );
      say(`  GET /api/v1/personas/admin/:id                p50 ${detail.p50Ms} ms  p95 ${detail.p95Ms} ms`);

      const sample = ids[0];
      const plans = [
        await explain(ds, 'list first page (limit 50)', PERSONA_SQL.listPage(false), [51]),
        await explain(ds, 'detail: persona', PERSONA_SQL.view, [sample]),
        await explain(ds, 'detail: 20 newest actions', PERSONA_SQL.recentActions, [sample, 20]),
        await explain(ds, 'detail: feedback by module', PERSONA_SQL.feedbackByModule, [sample]),
        await explain(ds, 'detail: recent ticks', PERSONA_SQL.recentTicks, [sample, 20]),
      ];
      const bigTables = ['persona_actions', 'persona_feedback', 'persona_ticks', 'personas', 'users'];
      const seqOnBig = plans.flatMap((p) =>
        p.seqScans.filter((t) => bigTables.includes(t)).map((t) => `${p.label}: ${t}`),
      );
      for (const p of plans) {
        say(
          `  EXPLAIN ${p.label}: ${p.executionMs} ms, indexes ${p.indexes.join(', ') || 'none'}${p.seqScans.length ? `, seq scans ${p.seqScans.join(', ')}` : ''}`,
        );
      }

      const listOk = list.p95Ms < LIST_TARGET_MS;
      const detailOk = detail.p95Ms < DETAIL_TARGET_MS;
      const result = {
        bench: 'admin',
        database,
        data: {
          ...counts,
          actionsPerPersona,
          generationSeconds,
          note: 'no spaces generated (not read by these routes)',
        },
        list: {
          route: 'GET /api/v1/personas/admin (first page, limit 50)',
          ...list,
          targetMs: LIST_TARGET_MS,
          meetsTarget: listOk,
        },
        list200: { route: 'GET /api/v1/personas/admin?limit=200', ...list200 },
        detail: {
          route: 'GET /api/v1/personas/admin/:id (random personas)',
          ...detail,
          targetMs: DETAIL_TARGET_MS,
          meetsTarget: detailOk,
        },
        baseline: {
          route: 'GET /api/v1/auth/me: the same HTTP, guard and user lookup with no persona query',
          ...baseline,
        },
        targetsJudgedOn: 'p95 over sequential requests through real HTTP (auth guard included)',
        loadAverageAtStart: load,
        explain: plans.map(({ label, indexes, seqScans, executionMs }) => ({
          label,
          indexes,
          seqScans,
          executionMs,
        })),
        sequentialScansOnLargeTables: seqOnBig,
        node: process.version,
        finishedAt: new Date().toISOString(),
      };
      writeResult('admin', result);
      writeResultFile('admin-explain.txt', plans.map((p) => `=== ${p.label}\n${p.text}\n`).join('\n'));
      say(
        `bench:admin list p50 ${list.p50Ms} ms p95 ${list.p95Ms} ms (target < ${LIST_TARGET_MS}: ${listOk ? 'met' : 'NOT met'}), ` +
          `detail p50 ${detail.p50Ms} ms p95 ${detail.p95Ms} ms (target < ${DETAIL_TARGET_MS}: ${detailOk ? 'met' : 'NOT met'}), ` +
          `${counts.personas} personas / ${counts.actions} actions, ${db.embedded ? 'embedded' : 'postgres'}`,
      );
    } finally {
      await bench.close();
    }
  } finally {
    await db.drop();
  }
}

runBench('admin', main);
