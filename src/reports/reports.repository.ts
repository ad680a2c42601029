import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import type { Bucket, ToolSortKey } from './reports-query.dto.js';
import type { TimeRange } from './report-window.js';
import { readAggregate } from './aggregate-read.js';

/*
 * The module, tool and overview reports' queries (ticks.repository.ts and
 * findings.repository.ts hold the others). Conventions:
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

@Injectable()
export class ReportsRepository {
  constructor(@InjectDataSource() private readonly db: DataSource) {}

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
    return readAggregate<ModuleBucketRow>(
      this.db,
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
    return readAggregate<ModuleWindowRow>(
      this.db,
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
    return readAggregate<ToolRow>(
      this.db,
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
    return readAggregate<SaidVsDidRow>(
      this.db,
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
   * Today's totals since `dayStart` (00:00 UTC): scalar subqueries, each a range scan of a
   * started_at / created_at index (actions: the covering ix_persona_actions_created_report; running
   * ticks: ix_persona_ticks_status_started).
   */
  async overview(dayStart: Date): Promise<OverviewRow> {
    const rows = await readAggregate<OverviewRow>(
      this.db,
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
