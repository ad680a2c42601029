import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';

/** One earlier tick of a persona, as the memory read answers it. */
export interface MemoryTickRow {
  tickId: string;
  /** YYYY-MM-DD in the persona's timezone. */
  date: string;
  status: string;
  calls: Array<{ tool: string; module: string; ok: boolean }>;
  ratings: Array<{ module: string; rating: number; notes: string | null }>;
  findings: Array<{ module: string; tool: string; class: string; check: string }>;
}

/** The reads behind a persona's memory of its earlier days (persona tables; owned by this module). */
@Injectable()
export class PersonaMemoryRepository {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  /**
   * The persona's last `limit` finished ticks before `excludeTickId` (its current one), oldest first,
   * each with its calls, ratings and findings.
   * Shape: the ticks come from ix_persona_ticks_persona_started (persona_id, started_at DESC); each
   * list is a correlated json_agg over that tick's rows (ix_persona_actions_tick, the feedback's
   * unique (tick_id, module), the findings' tick index). Every table is filtered by persona_id as
   * well as by tick: nothing of another persona can reach a memory, even a tick id that is not its.
   * Findings the persona caused with its own invalid input (persona_mistake) are left out.
   */
  async recentTicks(
    personaId: string,
    excludeTickId: string | null,
    limit: number,
  ): Promise<MemoryTickRow[]> {
    const rows = (await this.dataSource.query(
      `WITH recent AS (
              SELECT t.id, t.status, t.started_at,
                     to_char(t.started_at AT TIME ZONE p.timezone, 'YYYY-MM-DD') AS day
                FROM persona_ticks t
                JOIN personas p ON p.user_id = t.persona_id
               WHERE t.persona_id = $1
                 AND t.status <> 'running'
                 AND t.id IS DISTINCT FROM $2::uuid
               ORDER BY t.started_at DESC
               LIMIT $3
            )
       SELECT r.id AS "tickId", r.day AS date, r.status,
              (SELECT coalesce(json_agg(json_build_object('tool', a.tool_name, 'module', a.module,
                                                          'ok', a.result = 'ok') ORDER BY a.seq), '[]'::json)
                 FROM persona_actions a
                WHERE a.tick_id = r.id AND a.persona_id = $1 AND a.origin = 'brain') AS calls,
              (SELECT coalesce(json_agg(json_build_object('module', f.module, 'rating', f.rating,
                                                          'notes', f.notes) ORDER BY f.module), '[]'::json)
                 FROM persona_feedback f
                WHERE f.tick_id = r.id AND f.persona_id = $1) AS ratings,
              (SELECT coalesce(json_agg(json_build_object('module', x.module, 'tool', x.tool,
                                                          'class', x.class, 'check', x.check_name)
                                        ORDER BY x.seq NULLS LAST, x.id), '[]'::json)
                 FROM persona_findings x
                WHERE x.tick_id = r.id AND x.persona_id = $1 AND NOT x.persona_mistake) AS findings
         FROM recent r
        ORDER BY r.started_at`,
      [personaId, excludeTickId, limit],
    )) as Array<MemoryTickRow & { calls: unknown; ratings: unknown; findings: unknown }>;
    return rows.map((r) => ({
      tickId: r.tickId,
      date: r.date,
      status: r.status,
      calls: parseJson(r.calls) as MemoryTickRow['calls'],
      ratings: (parseJson(r.ratings) as MemoryTickRow['ratings']).map((x) => ({
        ...x,
        rating: Number(x.rating),
      })),
      findings: parseJson(r.findings) as MemoryTickRow['findings'],
    }));
  }
}

/** json columns come back parsed from pg, and as text from some drivers. */
function parseJson(value: unknown): unknown[] {
  if (typeof value === 'string') return JSON.parse(value) as unknown[];
  return Array.isArray(value) ? value : [];
}
