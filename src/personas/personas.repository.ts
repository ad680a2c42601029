import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import type { EntityManager } from 'typeorm';
import { DUE_CONDITION_SQL } from './schedule/due-rules.js';
import type { ModuleMix, TickCadence } from './schedule/persona-schedule.types.js';
import type { ActionRow } from './persona-records.js';
import type { TargetKind } from './targets/target.types.js';

/** The target a persona plays, as persona answers name it (null: the built-in app). */
export interface PersonaTargetRef {
  id: string;
  name: string;
  kind: TargetKind;
}

/** A persona joined with its account. */
export interface PersonaView {
  userId: string;
  email: string;
  name: string | null;
  archetype: string;
  systemPrompt: string;
  moduleMix: ModuleMix;
  tickCadence: TickCadence;
  timezone: string;
  lastActiveAt: Date | null;
  nextDueAt: Date | null;
  consecutiveFailures: number;
  target: PersonaTargetRef | null;
  /** Names of the persona's own headers for its target (the values are sealed). */
  targetHeaderNames: string[];
  createdAt: Date;
  updatedAt: Date;
}

export interface PersonaListRow {
  userId: string;
  email: string;
  name: string | null;
  archetype: string;
  moduleMix: ModuleMix;
  tickCadence: TickCadence;
  timezone: string;
  lastActiveAt: Date | null;
  nextDueAt: Date | null;
  target: PersonaTargetRef | null;
  createdAt: Date;
  /** created_at as Postgres prints it (microseconds kept) for the keyset cursor. */
  createdKey: string;
  actions7d: number;
  errors7d: number;
  avgRating7d: number | null;
  lastTickStatus: string | null;
  lastTickAt: Date | null;
}

export interface ActionView extends ActionRow {
  createdAt: Date;
}

export interface ModuleFeedbackRow {
  module: string;
  avgRating: number;
  count: number;
  lastNotes: string | null;
}

export interface TickView {
  id: string;
  status: string;
  brain: string;
  model: string | null;
  startedAt: Date;
  finishedAt: Date | null;
  toolCalls: number;
  tokensIn: number;
  tokensOut: number;
  costUsd: string;
  error: string | null;
}

export interface PersonaFields {
  archetype: string;
  systemPrompt: string;
  moduleMix: ModuleMix;
  tickCadence: TickCadence;
  timezone: string;
}

/** The persona's target as `{ id, name, kind }` or null, for a `personas p` LEFT JOINed to `targets tg`. */
const TARGET_REF = `CASE WHEN tg.id IS NULL THEN NULL
  ELSE json_build_object('id', tg.id, 'name', tg.name, 'kind', tg.kind) END AS target`;

const VIEW_COLUMNS = `p.user_id AS "userId", u.email, u.name, p.archetype, p.system_prompt AS "systemPrompt",
  p.module_mix AS "moduleMix", p.tick_cadence AS "tickCadence", p.timezone,
  p.last_active_at AS "lastActiveAt", p.next_due_at AS "nextDueAt",
  p.consecutive_failures AS "consecutiveFailures", ${TARGET_REF},
  p.target_header_names AS "targetHeaderNames", p.created_at AS "createdAt", p.updated_at AS "updatedAt"`;

/** personas p → its account u and its target tg (if any). */
const VIEW_FROM = `personas p JOIN users u ON u.id = p.user_id LEFT JOIN targets tg ON tg.id = p.target_id`;

export const ACTION_COLUMNS = `id, tick_id AS "tickId", seq, tool_name AS "toolName", module, input_hash AS "inputHash",
  result, error_kind AS "errorKind", error_message AS "errorMessage", latency_ms AS "latencyMs", origin,
  created_at AS "createdAt"`;

/**
 * The read queries of the admin API, named so the benchmark can EXPLAIN exactly what the API runs.
 */
export const PERSONA_SQL = {
  view: `SELECT ${VIEW_COLUMNS} FROM ${VIEW_FROM} WHERE p.user_id = $1`,

  /**
   * One page, newest first, keyset on (created_at, user_id) so deep pages cost the same as the first.
   * The page is cut first (index ix_personas_created_user), then each of its rows gets its 7-day
   * figures from lateral subqueries that each walk one persona's slice of a (persona_id, created_at)
   * index: the cost grows with the page size, not with the size of the audit tables.
   * $1 = limit; with a cursor, $2 = created_at text, $3 = user_id of the last row of the previous page.
   */
  listPage: (withCursor: boolean) => `
    SELECT p.user_id AS "userId", u.email, u.name, p.archetype, p.module_mix AS "moduleMix",
           p.tick_cadence AS "tickCadence", p.timezone, p.last_active_at AS "lastActiveAt",
           p.next_due_at AS "nextDueAt", ${TARGET_REF},
           p.created_at AS "createdAt", p.created_at::text AS "createdKey",
           a.actions7d, a.errors7d, f.avg_rating7d AS "avgRating7d",
           t.status AS "lastTickStatus", t.at AS "lastTickAt"
      FROM (SELECT * FROM personas
             ${withCursor ? 'WHERE (created_at, user_id) < ($2::timestamptz, $3::uuid)' : ''}
             ORDER BY created_at DESC, user_id DESC LIMIT $1) p
      JOIN users u ON u.id = p.user_id
      LEFT JOIN targets tg ON tg.id = p.target_id
     CROSS JOIN LATERAL (
           SELECT count(*)::int AS actions7d, count(*) FILTER (WHERE pa.result = 'error')::int AS errors7d
             FROM persona_actions pa
            WHERE pa.persona_id = p.user_id AND pa.created_at >= now() - interval '7 days') a
     CROSS JOIN LATERAL (
           SELECT avg(pf.rating)::float8 AS avg_rating7d
             FROM persona_feedback pf
            WHERE pf.persona_id = p.user_id AND pf.created_at >= now() - interval '7 days') f
      LEFT JOIN LATERAL (
           SELECT pt.status, coalesce(pt.finished_at, pt.started_at) AS at
             FROM persona_ticks pt
            WHERE pt.persona_id = p.user_id
            ORDER BY pt.started_at DESC
            LIMIT 1) t ON true
     ORDER BY p.created_at DESC, p.user_id DESC`,

  /** Newest actions first; walks ix_persona_actions_persona_created backwards. $1 persona, $2 limit. */
  recentActions: `SELECT ${ACTION_COLUMNS} FROM persona_actions
    WHERE persona_id = $1 ORDER BY created_at DESC, id DESC LIMIT $2`,

  /** Per-module mean (a real average, not a count) and count of every rating, with the latest notes. */
  feedbackByModule: `SELECT module, avg(rating)::float8 AS "avgRating", count(*)::int AS count,
           (array_agg(notes ORDER BY created_at DESC, id DESC) FILTER (WHERE notes IS NOT NULL))[1]
             AS "lastNotes"
      FROM persona_feedback WHERE persona_id = $1
     GROUP BY module ORDER BY module`,

  /** Newest ticks first (ix_persona_ticks_persona_started). $1 persona, $2 limit. */
  recentTicks: `SELECT id, status, brain, model, started_at AS "startedAt", finished_at AS "finishedAt",
           tool_calls AS "toolCalls", tokens_in AS "tokensIn", tokens_out AS "tokensOut",
           cost_usd::text AS "costUsd", error
      FROM persona_ticks WHERE persona_id = $1 ORDER BY started_at DESC LIMIT $2`,
};

/**
 * The persona SQL that is more than a simple find: keyset pages with per-row aggregates, the due
 * query and the create-or-update statements (audit writes: PersonaAuditRepository; claims and
 * leases: PersonaScheduleRepository). Every method takes the EntityManager
 * to run on, so callers inside a transaction never touch another connection.
 */
@Injectable()
export class PersonasRepository {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  get manager(): EntityManager {
    return this.dataSource.manager;
  }

  async findView(m: EntityManager, userId: string): Promise<PersonaView | undefined> {
    const rows: PersonaView[] = await m.query(PERSONA_SQL.view, [userId]);
    return rows[0];
  }

  async findFields(m: EntityManager, userId: string): Promise<PersonaFields | undefined> {
    const rows: PersonaFields[] = await m.query(
      `SELECT archetype, system_prompt AS "systemPrompt", module_mix AS "moduleMix",
              tick_cadence AS "tickCadence", timezone
         FROM personas WHERE user_id = $1 FOR UPDATE`,
      [userId],
    );
    return rows[0];
  }

  async insert(m: EntityManager, userId: string, f: PersonaFields): Promise<void> {
    // next_due_at stays null: a new persona is due at once
    await m.query(
      `INSERT INTO personas (user_id, archetype, system_prompt, module_mix, tick_cadence, timezone)
       VALUES ($1, $2, $3, $4::jsonb, $5, $6)`,
      [userId, f.archetype, f.systemPrompt, JSON.stringify(f.moduleMix), f.tickCadence, f.timezone],
    );
  }

  async update(m: EntityManager, userId: string, f: PersonaFields): Promise<void> {
    await m.query(
      `UPDATE personas SET archetype = $2, system_prompt = $3, module_mix = $4::jsonb, tick_cadence = $5,
              timezone = $6, updated_at = now()
        WHERE user_id = $1`,
      [userId, f.archetype, f.systemPrompt, JSON.stringify(f.moduleMix), f.tickCadence, f.timezone],
    );
  }

  /** Is this a zone PostgreSQL knows? (The due query evaluates `now() AT TIME ZONE p.timezone`.) */
  async databaseKnowsTimezone(zone: string): Promise<boolean> {
    try {
      await this.dataSource.query(`SELECT now() AT TIME ZONE $1`, [zone]);
      return true;
    } catch {
      return false;
    }
  }

  /**
   * One page, newest first, keyset on (created_at, user_id) so deep pages cost the same as the first.
   * The page is cut first (index ix_personas_created_user), then each of its rows gets its 7-day
   * figures from lateral subqueries that each walk one persona's slice of a (persona_id, created_at)
   * index: the cost grows with the page size, not with the size of the audit tables.
   */
  async listPage(limit: number, after?: { createdKey: string; userId: string }): Promise<PersonaListRow[]> {
    return this.dataSource.query(
      PERSONA_SQL.listPage(after !== undefined),
      after ? [limit, after.createdKey, after.userId] : [limit],
    );
  }

  /** Newest actions first; walks ix_persona_actions_persona_created backwards. */
  recentActions(personaId: string, limit: number): Promise<ActionView[]> {
    return this.dataSource.query(PERSONA_SQL.recentActions, [personaId, limit]);
  }

  /** Per-module mean (a real average, not a count) and count of every rating, with the latest notes. */
  feedbackByModule(personaId: string): Promise<ModuleFeedbackRow[]> {
    return this.dataSource.query(PERSONA_SQL.feedbackByModule, [personaId]);
  }

  recentTicks(personaId: string, limit: number): Promise<TickView[]> {
    return this.dataSource.query(PERSONA_SQL.recentTicks, [personaId, limit]);
  }

  /** Due personas by the database's clock (see DUE_CONDITION_SQL); disabled accounts never tick. */
  due(limit: number): Promise<PersonaView[]> {
    return this.dataSource.query(
      `SELECT ${VIEW_COLUMNS}
         FROM ${VIEW_FROM}
        WHERE ${DUE_CONDITION_SQL} AND u.disabled_at IS NULL
        ORDER BY p.next_due_at ASC NULLS FIRST, p.created_at, p.user_id
        LIMIT $1`,
      [limit],
    );
  }
}
