import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import type { TickCursor } from './report-window.js';

/* The tick reports' queries (the timeline, one tick's calls, ratings and findings); the
 * conventions of reports.repository.ts. */

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
  id: string;
  seq: number;
  tool_name: string;
  module: string;
  result: string;
  error_kind: string | null;
  error_message: string | null;
  latency_ms: number | null;
  origin: 'brain' | 'oracle';
  /** As stored: encrypted for the persona (TrajectoryCipher opens it); null once pruned. */
  input: string | null;
  output: string | null;
  input_truncated: boolean;
  output_truncated: boolean;
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

export interface TicksFilter {
  persona?: string;
  status?: string;
  from?: Date;
  to?: Date;
  cursor?: TickCursor;
  limit: number;
}

/** The first statement of a tick's trajectory that the detail view shows; more is flagged as truncated. */
export const MAX_TICK_ACTIONS = 500;

const TICK_COLUMNS = `
  t.id, t.persona_id, u.email, u.name, t.status, t.brain, t.model, t.started_at,
  to_char(t.started_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') AS started_key,
  t.finished_at, t.tool_calls, t.tokens_in, t.tokens_out, t.cost_usd::float8 AS cost_usd,
  t.error, t.rating_error,
  (SELECT count(*) FILTER (WHERE a.result = 'error' AND a.origin = 'brain')
     FROM persona_actions a WHERE a.tick_id = t.id)::int AS error_count,
  f.rating_count, f.avg_rating`;

/** Per-tick rating summary, one probe of ux_persona_feedback_tick_module per tick. */
const TICK_FEEDBACK_JOIN = `
  CROSS JOIN LATERAL (
    SELECT count(*)::int AS rating_count, avg(rating)::float8 AS avg_rating
    FROM persona_feedback fb WHERE fb.tick_id = t.id
  ) f`;

@Injectable()
export class TicksRepository {
  constructor(@InjectDataSource() private readonly db: DataSource) {}

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

  /** One tick with the persona's words for the day (the list leaves them out). */
  async tick(id: string): Promise<(TickRow & { words: string[] | null }) | undefined> {
    const rows: Array<TickRow & { words: string[] | null }> = await this.db.query(
      `SELECT ${TICK_COLUMNS}, t.words
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
      `SELECT id, seq, tool_name, module, result, error_kind, error_message, latency_ms, origin,
              input, output, input_truncated, output_truncated, created_at
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
}
