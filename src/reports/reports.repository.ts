import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import type { Bucket, FindingSortKey, FindingState, ToolSortKey } from './reports-query.dto.js';
import type { TickCursor, TimeRange } from './report-window.js';

/*
 * Every report query, in one place. Conventions:
 * - ranges are half-open [from, to) on created_at (actions, feedback) or started_at (ticks);
 * - counts are cast to int and averages to float8 in SQL, so rows arrive as JS numbers, not strings;
 * - time buckets and instants that must round-trip exactly are formatted in SQL as UTC text;
 * - every filter on time or tick id hits an index (see migrations 1763700001000 and 1763700006000);
 *   aggregates scan only the rows of their range (`EXPLAIN` of each is exercised in bench/reports.bench.ts).
 */

export interface ModuleBucketRow {
  module: string;
  /** null for a module that has ratings only in the regression windows, outside the range */
  bucket: string | null;
  avg_rating: number | null;
  rating_count: number;
  tool_calls: number;
  errors: number;
}

export interface ModuleWindowRow {
  module: string;
  last_count: number;
  last_avg: number | null;
  last_var: number | null;
  prev_count: number;
  prev_avg: number | null;
  prev_var: number | null;
}

export interface ToolRow {
  tool_name: string;
  module: string;
  calls: number;
  errors: number;
  protocol_errors: number;
  tool_errors: number;
  timeout_errors: number;
  unknown_tool_errors: number;
  p50: number | null;
  p95: number | null;
  p99: number | null;
  last_error_message: string | null;
  last_error_kind: string | null;
  last_error_at: Date | null;
  total: number;
}

export interface SaidVsDidRow {
  persona_id: string;
  email: string;
  name: string | null;
  module: string;
  ratings: number;
  avg_rating: number;
  calls: number;
  errors: number;
  mistakes: number;
  rated_high_but_failing: number;
  rated_low_without_cause: number;
  flagged_ticks: Array<{
    tick_id: string;
    flag: string;
    rating: number;
    calls: number;
    errors: number;
    at: string;
  }> | null;
  total: number;
}

export interface TickRow {
  id: string;
  persona_id: string;
  email: string;
  name: string | null;
  status: string;
  brain: string;
  model: string | null;
  started_at: Date;
  started_key: string;
  finished_at: Date | null;
  tool_calls: number;
  tokens_in: number;
  tokens_out: number;
  cost_usd: number;
  error: string | null;
  rating_error: string | null;
  error_count: number;
  rating_count: number;
  avg_rating: number | null;
}

export interface TickActionRow {
  seq: number;
  tool_name: string;
  module: string;
  result: string;
  error_kind: string | null;
  error_message: string | null;
  latency_ms: number | null;
  created_at: Date;
}

export interface TickFeedbackRow {
  module: string;
  rating: number;
  notes: string | null;
  created_at: Date;
}

export interface TickFindingRow {
  seq: number | null;
  module: string;
  tool: string;
  class: string;
  check_name: string;
  expected: string;
  got: string;
  source: string;
  persona_mistake: boolean;
  created_at: Date;
}

export interface OverviewRow {
  personas: number;
  ticks_today: number;
  failed_ticks_today: number;
  running_ticks: number;
  cost_usd_today: number;
  tokens_in_today: number;
  cache_read_tokens_today: number;
  cache_write_tokens_today: number;
  tokens_out_today: number;
  tool_calls_today: number;
  tool_errors_today: number;
  last_tick_at: Date | null;
}

export interface FindingGroupRow {
  module: string;
  tool: string;
  finding_class: string;
  state: FindingState;
  first_seen: Date;
  last_seen: Date;
  findings: number;
  ticks: number;
  personas: number;
  checks: string[];
  samples: Array<{
    tick_id: string;
    seq: number | null;
    persona_id: string;
    check: string;
    expected: string;
    got: string;
    source: string;
    created_at: string;
  }>;
  fault_id: string | null;
  defect: string | null;
  total: number;
}

export interface FindingsFilter {
  range: TimeRange;
  /** true: the personas' own mistakes; false: the app's findings */
  personaMistakes: boolean;
  module?: string;
  findingClass?: string;
  state?: FindingState;
  sort: FindingSortKey;
  descending: boolean;
  limit: number;
  offset: number;
}

/** A plantable defect's signature, as the fault catalog (src/faults) gives it. */
export interface DefectSignature {
  defect: string;
  module: string;
  tool: string;
  findingClass: string;
}

export interface PlantedFaultRow {
  id: string;
  defect: string;
}

export interface TicksFilter {
  persona?: string;
  status?: string;
  from?: Date;
  to?: Date;
  cursor?: TickCursor;
  limit: number;
}

/** Sort keys → SQL, a closed map so no client text ever reaches the ORDER BY. */
const TOOL_ORDER: Record<ToolSortKey, string> = {
  tool: 'tool_name',
  calls: 'calls',
  errorRate: 'errors::float8 / NULLIF(calls, 0)',
  p50: 'p50',
  p95: 'p95',
  p99: 'p99',
  lastErrorAt: 'last_error_at',
};

/** Finding-group sort keys → SQL (columns of the `stated` CTE below), a closed map like TOOL_ORDER. */
const FINDING_ORDER: Record<FindingSortKey, string> = {
  lastSeen: 'last_seen',
  firstSeen: 'first_seen',
  count: 'findings',
  ticks: 'ticks',
  personas: 'personas',
  module: 'module',
  tool: 'tool',
  class: 'finding_class',
};

/**
 * How many of the newest ticks that used a tool are looked at for a finding group's state: the
 * group is `open` while at least one of them produced it, `gone` once this many later ones did not.
 */
export const FINDING_OPEN_TICKS = 3;

/**
 * The finding groups of a range, with their state. Placeholders: $1 from, $2 to (half-open on the
 * findings' created_at), $3 persona_mistake, $4 module or null, $5 class or null.
 * - `f`: the range's findings of one kind (app or persona mistake), each with its tick's start;
 * - `groups`: per (module, tool, class): first/last seen, counts, checks, and the group's newest tick
 *   in (started_at, id) order;
 * - `stated`: the state, from a LATERAL count of the ticks after that newest tick (started before
 *   $2) that called the tool (persona_actions, the (tool_name, created_at) index from the newest
 *   tick's start) or reported a finding of the same kind on it, stopped at FINDING_OPEN_TICKS.
 *   Fewer later ticks than that means the newest tick is among the newest FINDING_OPEN_TICKS that
 *   used the tool: `open`. Only the ticks since a group's newest tick are read, so an open group
 *   costs a few probes; a long-gone one reads the tool's calls since it was last seen.
 */
const FINDING_GROUPS = `
  f AS (
    SELECT x.id, x.persona_id, x.tick_id, x.seq, x.module, x.tool, x.class AS finding_class,
           x.check_name, x.expected, x.got, x.source, x.created_at, t.started_at AS tick_started
    FROM persona_findings x
    JOIN persona_ticks t ON t.id = x.tick_id
    WHERE x.created_at >= $1 AND x.created_at < $2 AND x.persona_mistake = $3::boolean
      AND ($4::text IS NULL OR x.module = $4::text)
      AND ($5::text IS NULL OR x.class = $5::text)
  ), groups AS (
    SELECT module, tool, finding_class,
           min(created_at) AS first_seen, max(created_at) AS last_seen,
           count(*)::int AS findings, count(DISTINCT tick_id)::int AS ticks,
           count(DISTINCT persona_id)::int AS personas,
           array_agg(DISTINCT check_name ORDER BY check_name) AS checks,
           max(tick_started) AS newest_started,
           (array_agg(tick_id ORDER BY tick_started DESC, tick_id DESC))[1] AS newest_tick
    FROM f
    GROUP BY module, tool, finding_class
  ), stated AS (
    SELECT g.*, CASE WHEN later.n < ${FINDING_OPEN_TICKS} THEN 'open' ELSE 'gone' END AS state
    FROM groups g
    CROSS JOIN LATERAL (
      SELECT count(*)::int AS n FROM (
        SELECT a.tick_id
        FROM persona_actions a
        JOIN persona_ticks t ON t.id = a.tick_id
        WHERE a.tool_name = g.tool AND a.created_at >= g.newest_started AND a.created_at < $2
          AND t.started_at < $2 AND (t.started_at, t.id) > (g.newest_started, g.newest_tick)
        UNION
        SELECT y.tick_id
        FROM persona_findings y
        JOIN persona_ticks t ON t.id = y.tick_id
        WHERE y.module = g.module AND y.tool IS NOT DISTINCT FROM g.tool
          AND y.persona_mistake = $3::boolean
          AND y.created_at >= g.newest_started AND y.created_at < $2
          AND t.started_at < $2 AND (t.started_at, t.id) > (g.newest_started, g.newest_tick)
        LIMIT ${FINDING_OPEN_TICKS}
      ) u
    ) later
  )`;

/** The first statement of a tick's trajectory that the detail view shows; more is flagged as truncated. */
export const MAX_TICK_ACTIONS = 500;

const TICK_COLUMNS = `
  t.id, t.persona_id, u.email, u.name, t.status, t.brain, t.model, t.started_at,
  to_char(t.started_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') AS started_key,
  t.finished_at, t.tool_calls, t.tokens_in, t.tokens_out, t.cost_usd::float8 AS cost_usd,
  t.error, t.rating_error,
  (SELECT count(*) FILTER (WHERE a.result = 'error') FROM persona_actions a WHERE a.tick_id = t.id)::int
    AS error_count,
  f.rating_count, f.avg_rating`;

/** Per-tick rating summary, one probe of ux_persona_feedback_tick_module per tick. */
const TICK_FEEDBACK_JOIN = `
  CROSS JOIN LATERAL (
    SELECT count(*)::int AS rating_count, avg(rating)::float8 AS avg_rating
    FROM persona_feedback fb WHERE fb.tick_id = t.id
  ) f`;

@Injectable()
export class ReportsRepository {
  constructor(@InjectDataSource() private readonly db: DataSource) {}

  /**
   * Runs one aggregate read with settings that suit it:
   * - JIT off: PostgreSQL JITs any statement whose estimated cost passes jit_above_cost, and for
   *   these aggregates that is 0.2–1.5 s of compiling to save a few ms (seen in bench/reports.bench.ts);
   * - work_mem 32MB: the tools report sorts a range of calls by tool (its percentiles need sorted
   *   groups); with the 4MB default a 28-day sort of 70,000 calls spills to disk.
   * The SETs are transaction-local, so the pool's connections keep their settings; the transaction
   * holds nothing but this one statement.
   */
  private async read<T>(sql: string, params: unknown[]): Promise<T[]> {
    return this.db.transaction(async (m) => {
      await m.query('SET LOCAL jit = off');
      await m.query(`SET LOCAL work_mem = '32MB'`);
      return m.query(sql, params) as Promise<T[]>;
    });
  }

  /**
   * One page of modules (ascending by name, after `cursor`, at most `limit`) with their ratings and
   * calls per (module, bucket). The modules are those with a rating or a call in the range, or a
   * rating in the regression windows [regressionFrom, range.to) (such a module has one row with a
   * null bucket).
   * Shape: one GROUP BY per table over the range, each an index-only scan of its covering created_at
   * index, FULL JOINed on (module, bucket); the page is chosen from that small result, so each table
   * is read once. Buckets come from date_bin (plain arithmetic on the UTC instant, no time-zone
   * lookups per row): `1 day`, or `7 days` from the origin 2001-01-01, a Monday, so weeks start on
   * Monday 00:00 UTC. Only the aggregated rows are formatted.
   */
  async modulePage(
    range: TimeRange,
    bucket: Bucket,
    regressionFrom: Date,
    cursor: string | undefined,
    limit: number,
  ): Promise<ModuleBucketRow[]> {
    return this.read<ModuleBucketRow>(
      `WITH ratings AS (
         SELECT module, date_bin($3::interval, created_at, '2001-01-01T00:00:00Z') AS b,
                avg(rating)::float8 AS avg_rating, count(*)::int AS rating_count
         FROM persona_feedback
         WHERE created_at >= $1 AND created_at < $2
         GROUP BY 1, 2
       ), calls AS (
         SELECT module, date_bin($3::interval, created_at, '2001-01-01T00:00:00Z') AS b,
                count(*)::int AS tool_calls, count(*) FILTER (WHERE result = 'error')::int AS errors
         FROM persona_actions
         WHERE created_at >= $1 AND created_at < $2
         GROUP BY 1, 2
       ), cells AS (
         SELECT COALESCE(r.module, c.module) AS module, COALESCE(r.b, c.b) AS b,
                r.avg_rating, COALESCE(r.rating_count, 0) AS rating_count,
                COALESCE(c.tool_calls, 0) AS tool_calls, COALESCE(c.errors, 0) AS errors
         FROM ratings r FULL JOIN calls c ON c.module = r.module AND c.b = r.b
       ), page AS (
         SELECT module FROM (
           SELECT module FROM cells
           UNION
           SELECT DISTINCT module FROM persona_feedback WHERE created_at >= $4 AND created_at < $2
         ) m
         WHERE $5::text IS NULL OR module > $5::text
         ORDER BY module
         LIMIT $6
       )
       SELECT p.module, to_char(c.b AT TIME ZONE 'UTC', 'YYYY-MM-DD') AS bucket,
              c.avg_rating, COALESCE(c.rating_count, 0) AS rating_count,
              COALESCE(c.tool_calls, 0) AS tool_calls, COALESCE(c.errors, 0) AS errors
       FROM page p LEFT JOIN cells c ON c.module = p.module
       ORDER BY p.module, c.b`,
      [range.from, range.to, bucket === 'week' ? '7 days' : '1 day', regressionFrom, cursor ?? null, limit],
    );
  }

  /**
   * Rating statistics per module in the two regression windows [recentFrom, to) and
   * [beforeFrom, recentFrom): count, mean, sample variance. One index-only scan of the 28-day
   * feedback range (ix_persona_feedback_created_report), two FILTERed aggregate sets.
   */
  async moduleWindows(
    modules: string[],
    beforeFrom: Date,
    recentFrom: Date,
    to: Date,
  ): Promise<ModuleWindowRow[]> {
    if (modules.length === 0) return [];
    return this.read<ModuleWindowRow>(
      `SELECT module,
              count(*) FILTER (WHERE created_at >= $2)::int AS last_count,
              (avg(rating) FILTER (WHERE created_at >= $2))::float8 AS last_avg,
              (var_samp(rating) FILTER (WHERE created_at >= $2))::float8 AS last_var,
              count(*) FILTER (WHERE created_at < $2)::int AS prev_count,
              (avg(rating) FILTER (WHERE created_at < $2))::float8 AS prev_avg,
              (var_samp(rating) FILTER (WHERE created_at < $2))::float8 AS prev_var
       FROM persona_feedback
       WHERE created_at >= $1 AND created_at < $3 AND module = ANY($4::text[])
       GROUP BY module`,
      [beforeFrom, recentFrom, to, modules],
    );
  }

  /**
   * Per tool: calls, errors by kind, latency percentiles, newest error; sorted and paged.
   * Shape: one GROUP BY over the range, an index-only scan of the covering index
   * ix_persona_actions_created_report (no heap visits) sorted by tool in memory; the three
   * percentiles come from one ordered-set aggregate with an array argument (one sort per tool);
   * the newest error is a LATERAL probe of the partial index ix_persona_actions_tool_error_created
   * for each tool (tools number in the tens). `total` is the number of tools before paging.
   */
  async tools(
    range: TimeRange,
    sort: ToolSortKey,
    descending: boolean,
    limit: number,
    offset: number,
  ): Promise<ToolRow[]> {
    const direction = descending ? 'DESC' : 'ASC';
    return this.read<ToolRow>(
      `WITH agg AS (
         SELECT tool_name, min(module) AS module, count(*)::int AS calls,
                count(*) FILTER (WHERE result = 'error')::int AS errors,
                count(*) FILTER (WHERE result = 'error' AND error_kind = 'protocol')::int AS protocol_errors,
                count(*) FILTER (WHERE result = 'error' AND error_kind = 'tool')::int AS tool_errors,
                count(*) FILTER (WHERE result = 'error' AND error_kind = 'timeout')::int AS timeout_errors,
                count(*) FILTER (WHERE result = 'error' AND error_kind = 'unknown_tool')::int
                  AS unknown_tool_errors,
                percentile_cont(ARRAY[0.5, 0.95, 0.99]::float8[]) WITHIN GROUP (ORDER BY latency_ms)
                  AS pct
         FROM persona_actions
         WHERE created_at >= $1 AND created_at < $2
         GROUP BY tool_name
       ), joined AS (
         SELECT agg.tool_name, agg.module, agg.calls, agg.errors, agg.protocol_errors, agg.tool_errors,
                agg.timeout_errors, agg.unknown_tool_errors, agg.pct[1] AS p50, agg.pct[2] AS p95, agg.pct[3] AS p99,
                e.error_message AS last_error_message, e.error_kind AS last_error_kind,
                e.created_at AS last_error_at
         FROM agg
         LEFT JOIN LATERAL (
           SELECT a.error_message, a.error_kind, a.created_at
           FROM persona_actions a
           WHERE a.tool_name = agg.tool_name AND a.result = 'error'
             AND a.created_at >= $1 AND a.created_at < $2
           ORDER BY a.created_at DESC
           LIMIT 1
         ) e ON true
       )
       SELECT *, count(*) OVER ()::int AS total
       FROM joined
       ORDER BY ${TOOL_ORDER[sort]} ${direction} NULLS LAST, tool_name ASC
       LIMIT $3 OFFSET $4`,
      [range.from, range.to, limit, offset],
    );
  }

  /**
   * The tool names (of those given) that no persona called since `since`.
   * Shape: one NOT EXISTS probe of a (tool_name, created_at) index per tool name.
   */
  async uncalledTools(names: string[], since: Date): Promise<string[]> {
    if (names.length === 0) return [];
    const rows: Array<{ name: string }> = await this.db.query(
      `SELECT t.name FROM unnest($1::text[]) AS t(name)
       WHERE NOT EXISTS (
         SELECT 1 FROM persona_actions a WHERE a.tool_name = t.name AND a.created_at >= $2
       )
       ORDER BY t.name`,
      [names, since],
    );
    return rows.map((r) => r.name);
  }

  /**
   * Said vs did: each rating in the range next to that same tick's calls to that module.
   * Shape: the ratings in the range (ix_persona_feedback_created_report, or the persona's index);
   * their distinct ticks; each tick's calls counted per module by a LATERAL probe of
   * ix_persona_actions_tick (LATERAL so the planner cannot swap it for a scan of every call; a
   * tick's calls sit together, so a probe reads a page or two; per tick rather than per
   * rating, so a tick rated on three modules is read once); LEFT JOINed back on (tick, module) and
   * classified per rating, then grouped per (persona, module) with the flag counts and the 5 newest
   * flagged ratings as JSON.
   * A failed call that was the persona's own invalid input (a persona-mistake finding at its seq,
   * probed per tick through ix on persona_findings(tick_id)) counts in `mistakes`, not in `errors`:
   * the app did nothing wrong there.
   * A rating is `rated_high_but_failing` when rating ≥ 4, the tick made ≥ 1 call to the module and
   * ≥ 30% of them failed; `rated_low_without_cause` when rating ≤ 2, none of them failed and the
   * notes are empty. Flagged rows sort first.
   */
  async saidVsDid(
    range: TimeRange,
    persona: string | undefined,
    onlyFlagged: boolean,
    limit: number,
    offset: number,
  ): Promise<SaidVsDidRow[]> {
    return this.read<SaidVsDidRow>(
      `WITH fb AS (
         SELECT persona_id, module, tick_id, rating, notes, created_at
         FROM persona_feedback
         WHERE created_at >= $1 AND created_at < $2
           AND ($3::uuid IS NULL OR persona_id = $3::uuid)
       ), calls AS (
         SELECT t.tick_id, c.module, c.calls, c.errors, c.mistakes
         FROM (SELECT DISTINCT tick_id FROM fb) t
         CROSS JOIN LATERAL (
           SELECT a.module, count(*)::int AS calls,
                  count(*) FILTER (WHERE a.result = 'error' AND NOT a.mistake)::int AS errors,
                  count(*) FILTER (WHERE a.result = 'error' AND a.mistake)::int AS mistakes
           FROM (
             SELECT pa.module, pa.result, EXISTS (
                      SELECT 1 FROM persona_findings f
                      WHERE f.tick_id = pa.tick_id AND f.seq = pa.seq AND f.persona_mistake
                    ) AS mistake
             FROM persona_actions pa
             WHERE pa.tick_id = t.tick_id
           ) a
           GROUP BY a.module
         ) c
       ), rated AS (
         SELECT f.persona_id, f.module, f.tick_id, f.rating, f.created_at,
                COALESCE(c.calls, 0) AS calls, COALESCE(c.errors, 0) AS errors,
                COALESCE(c.mistakes, 0) AS mistakes,
                CASE
                  WHEN f.rating >= 4 AND c.calls > 0 AND c.errors::float8 / c.calls >= 0.3
                    THEN 'rated_high_but_failing'
                  WHEN f.rating <= 2 AND COALESCE(c.errors, 0) = 0 AND COALESCE(btrim(f.notes), '') = ''
                    THEN 'rated_low_without_cause'
                END AS flag
         FROM fb f
         LEFT JOIN calls c ON c.tick_id = f.tick_id AND c.module = f.module
       ), grouped AS (
         SELECT persona_id, module, count(*)::int AS ratings, avg(rating)::float8 AS avg_rating,
                sum(calls)::int AS calls, sum(errors)::int AS errors, sum(mistakes)::int AS mistakes,
                count(*) FILTER (WHERE flag = 'rated_high_but_failing')::int AS rated_high_but_failing,
                count(*) FILTER (WHERE flag = 'rated_low_without_cause')::int AS rated_low_without_cause,
                to_json((array_agg(json_build_object(
                  'tick_id', tick_id, 'flag', flag, 'rating', rating, 'calls', calls, 'errors', errors,
                  'at', to_char(created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"'))
                  ORDER BY created_at DESC) FILTER (WHERE flag IS NOT NULL))[1:5]) AS flagged_ticks
         FROM rated
         GROUP BY persona_id, module
       )
       SELECT g.*, u.email, u.name, count(*) OVER ()::int AS total
       FROM grouped g
       JOIN users u ON u.id = g.persona_id
       WHERE NOT $4::boolean OR g.rated_high_but_failing + g.rated_low_without_cause > 0
       ORDER BY g.rated_high_but_failing + g.rated_low_without_cause DESC, u.email, g.module
       LIMIT $5 OFFSET $6`,
      [range.from, range.to, persona ?? null, onlyFlagged, limit, offset],
    );
  }

  /**
   * The tick timeline, newest first, keyset-paged on (started_at DESC, id DESC).
   * Shape: the WHERE is assembled from the filters given so each case meets a matching index
   * (ix_persona_ticks_persona_started, ix_persona_ticks_status_started, ix_persona_ticks_started);
   * the keyset test is written as `started_at <= x AND (started_at < x OR id < y)` so the index
   * bound is usable. Per row: error count and rating summary by tick-id probes. Fetches limit + 1
   * rows; the caller uses the extra one to know whether there is a next page.
   */
  async ticks(filter: TicksFilter): Promise<TickRow[]> {
    const where: string[] = [];
    const params: unknown[] = [];
    const param = (value: unknown) => {
      params.push(value);
      return `$${params.length}`;
    };
    if (filter.persona) where.push(`t.persona_id = ${param(filter.persona)}::uuid`);
    if (filter.status) where.push(`t.status = ${param(filter.status)}`);
    if (filter.from) where.push(`t.started_at >= ${param(filter.from)}`);
    if (filter.to) where.push(`t.started_at < ${param(filter.to)}`);
    if (filter.cursor) {
      const at = param(filter.cursor.startedAt);
      const id = param(filter.cursor.id);
      where.push(`t.started_at <= ${at}::timestamptz`);
      where.push(`(t.started_at < ${at}::timestamptz OR t.id < ${id}::uuid)`);
    }
    const limit = param(filter.limit + 1);
    return this.db.query(
      `SELECT ${TICK_COLUMNS}
       FROM (
         SELECT * FROM persona_ticks t
         ${where.length ? `WHERE ${where.join(' AND ')}` : ''}
         ORDER BY t.started_at DESC, t.id DESC
         LIMIT ${limit}
       ) t
       JOIN users u ON u.id = t.persona_id
       ${TICK_FEEDBACK_JOIN}
       ORDER BY t.started_at DESC, t.id DESC`,
      params,
    );
  }

  async tick(id: string): Promise<TickRow | undefined> {
    const rows: TickRow[] = await this.db.query(
      `SELECT ${TICK_COLUMNS}
       FROM persona_ticks t
       JOIN users u ON u.id = t.persona_id
       ${TICK_FEEDBACK_JOIN}
       WHERE t.id = $1`,
      [id],
    );
    return rows[0];
  }

  /** A tick's calls in order (ix_persona_actions_tick), at most MAX_TICK_ACTIONS + 1. */
  tickActions(tickId: string): Promise<TickActionRow[]> {
    return this.db.query(
      `SELECT seq, tool_name, module, result, error_kind, error_message, latency_ms, created_at
       FROM persona_actions WHERE tick_id = $1
       ORDER BY seq, created_at
       LIMIT $2`,
      [tickId, MAX_TICK_ACTIONS + 1],
    );
  }

  /** A tick's ratings (the unique (tick_id, module) index), by module. */
  tickFeedback(tickId: string): Promise<TickFeedbackRow[]> {
    return this.db.query(
      `SELECT module, rating, notes, created_at FROM persona_feedback WHERE tick_id = $1 ORDER BY module`,
      [tickId],
    );
  }

  /**
   * Finding groups (module, tool, class) of one kind in the range, with state, sorted and paged; each
   * page row with up to 3 newest findings as samples and the planted fault it matches.
   * Shape: FINDING_GROUPS (one scan of the range's findings, then per group a bounded LATERAL state
   * probe); the state filter, the count (`total`, before paging) and the sort run over the groups,
   * which number in the tens to hundreds. Only the page's rows get the two LATERALs: the 3 newest
   * findings of the group (from `f`, already in memory) and the newest plant of a catalog defect with
   * the group's (module, tool, class) during which one of the group's findings was made
   * (planted_at ≤ created_at < cleared_at). The catalog is code, so it arrives as four parallel
   * arrays and is unnested; `faults` holds a few rows.
   */
  async findings(filter: FindingsFilter, catalog: DefectSignature[]): Promise<FindingGroupRow[]> {
    const order = `${FINDING_ORDER[filter.sort]} ${filter.descending ? 'DESC' : 'ASC'} NULLS LAST,
                   module ASC, tool ASC NULLS LAST, finding_class ASC`;
    return this.read<FindingGroupRow>(
      `WITH ${FINDING_GROUPS}, page AS (
         SELECT s.*, count(*) OVER ()::int AS total
         FROM stated s
         WHERE $6::text IS NULL OR s.state = $6::text
         ORDER BY ${order}
         LIMIT $7 OFFSET $8
       )
       SELECT p.module, p.tool, p.finding_class, p.state, p.first_seen, p.last_seen, p.findings,
              p.ticks, p.personas, p.checks, p.total, smp.samples, m.fault_id, m.defect
       FROM page p
       CROSS JOIN LATERAL (
         SELECT json_agg(json_build_object(
                  'tick_id', s.tick_id, 'seq', s.seq, 'persona_id', s.persona_id, 'check', s.check_name,
                  'expected', s.expected, 'got', s.got, 'source', s.source,
                  'created_at', to_char(s.created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"'))
                  ORDER BY s.created_at DESC, s.id) AS samples
         FROM (
           SELECT * FROM f
           WHERE f.module = p.module AND f.tool IS NOT DISTINCT FROM p.tool
             AND f.finding_class = p.finding_class
           ORDER BY f.created_at DESC, f.id
           LIMIT 3
         ) s
       ) smp
       LEFT JOIN LATERAL (
         SELECT fa.id AS fault_id, fa.defect
         FROM faults fa
         JOIN unnest($9::text[], $10::text[], $11::text[], $12::text[]) AS c(defect, module, tool, cls)
           ON c.defect = fa.defect
         WHERE c.module = p.module AND c.tool = p.tool AND c.cls = p.finding_class
           AND EXISTS (
             SELECT 1 FROM f
             WHERE f.module = p.module AND f.tool = p.tool AND f.finding_class = p.finding_class
               AND f.created_at >= fa.planted_at AND (fa.cleared_at IS NULL OR f.created_at < fa.cleared_at)
           )
         ORDER BY fa.planted_at DESC, fa.id
         LIMIT 1
       ) m ON true
       ORDER BY ${order}`,
      [
        filter.range.from,
        filter.range.to,
        filter.personaMistakes,
        filter.module ?? null,
        filter.findingClass ?? null,
        filter.state ?? null,
        filter.limit,
        filter.offset,
        catalog.map((c) => c.defect),
        catalog.map((c) => c.module),
        catalog.map((c) => c.tool),
        catalog.map((c) => c.findingClass),
      ],
    );
  }

  /** The number of open app finding groups in the range (FINDING_GROUPS, counted). */
  async openFindingGroups(range: TimeRange): Promise<number> {
    const rows = await this.read<{ open: number }>(
      `WITH ${FINDING_GROUPS}
       SELECT count(*) FILTER (WHERE state = 'open')::int AS open FROM stated`,
      [range.from, range.to, false, null, null],
    );
    return rows[0]?.open ?? 0;
  }

  /** Faults planted at `at` (not cleared), oldest plant first. `faults` holds a few rows. */
  plantedFaults(at: Date): Promise<PlantedFaultRow[]> {
    return this.db.query(
      `SELECT id, defect FROM faults
       WHERE planted_at <= $1 AND (cleared_at IS NULL OR cleared_at > $1)
       ORDER BY planted_at, id`,
      [at],
    );
  }

  /** A tick's findings (ix_persona_findings_tick), by the call that showed them; at most 500. */
  tickFindings(tickId: string): Promise<TickFindingRow[]> {
    return this.db.query(
      `SELECT seq, module, tool, class, check_name, expected, got, source, persona_mistake, created_at
       FROM persona_findings WHERE tick_id = $1
       ORDER BY seq NULLS LAST, created_at, id
       LIMIT 500`,
      [tickId],
    );
  }

  /**
   * Today's totals since `dayStart` (00:00 UTC): scalar subqueries, each a range scan of a
   * started_at / created_at index (actions: the covering ix_persona_actions_created_report; running
   * ticks: ix_persona_ticks_status_started).
   */
  async overview(dayStart: Date): Promise<OverviewRow> {
    const rows = await this.read<OverviewRow>(
      `SELECT
         (SELECT count(*) FROM personas)::int AS personas,
         t.ticks_today, t.failed_ticks_today, t.cost_usd_today, t.tokens_in_today, t.tokens_out_today,
         t.cache_read_tokens_today, t.cache_write_tokens_today,
         (SELECT count(*) FROM persona_ticks WHERE status = 'running')::int AS running_ticks,
         a.tool_calls_today, a.tool_errors_today,
         (SELECT max(started_at) FROM persona_ticks) AS last_tick_at
       FROM (
         SELECT count(*)::int AS ticks_today,
                count(*) FILTER (WHERE status IN ('failed', 'timed_out'))::int AS failed_ticks_today,
                COALESCE(sum(cost_usd), 0)::float8 AS cost_usd_today,
                COALESCE(sum(tokens_in), 0)::float8 AS tokens_in_today,
                COALESCE(sum(tokens_out), 0)::float8 AS tokens_out_today,
                COALESCE(sum(cache_read_tokens), 0)::float8 AS cache_read_tokens_today,
                COALESCE(sum(cache_write_tokens), 0)::float8 AS cache_write_tokens_today
         FROM persona_ticks WHERE started_at >= $1
       ) t, (
         SELECT count(*)::int AS tool_calls_today,
                count(*) FILTER (WHERE result = 'error')::int AS tool_errors_today
         FROM persona_actions WHERE created_at >= $1
       ) a`,
      [dayStart],
    );
    return rows[0];
  }
}
