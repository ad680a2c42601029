import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import type { ActionRow, FeedbackRow, FindingRow } from './persona-records.js';
import { ACTION_COLUMNS } from './personas.repository.js';
import type { ActionView } from './personas.repository.js';

/**
 * The audit trail's writes: idempotent batch inserts of actions, feedback and findings (ON CONFLICT
 * (id) DO NOTHING, so a retried batch writes nothing twice) and the reads that tell a duplicate from a
 * mismatch. Every method runs on the EntityManager of the caller's transaction.
 */
@Injectable()
export class PersonaAuditRepository {
  /**
   * The fence of every audit write: locks the persona row FOR SHARE for the rest of the transaction
   * (so it cannot be deleted under the batch either) and answers its current lease token (undefined: no such persona; null: no lease).
   *
   * Why FOR SHARE (not KEY SHARE): a claim or a finish UPDATEs the persona row, which waits for this
   * lock. So a takeover either commits before the check (and the check sees the new token) or after
   * the batch commits; a row written by a runner whose lease was taken over can never land.
   * A claimer's SKIP LOCKED merely skips the row for that moment; it is leased anyway.
   */
  async lockLease(m: EntityManager, personaId: string): Promise<string | null | undefined> {
    const rows: Array<{ lease_token: string | null }> = await m.query(
      `SELECT lease_token FROM personas WHERE user_id = $1 FOR SHARE`,
      [personaId],
    );
    return rows.length > 0 ? rows[0].lease_token : undefined;
  }

  /** Which of these ticks are still running under this lease token (the ticks a batch may write to). */
  async ticksUnderLease(
    m: EntityManager,
    personaId: string,
    leaseToken: string,
    tickIds: string[],
  ): Promise<Set<string>> {
    const rows: Array<{ id: string }> = await m.query(
      `SELECT id FROM persona_ticks
        WHERE persona_id = $1 AND lease_token = $2 AND status = 'running' AND id = ANY($3::uuid[])`,
      [personaId, leaseToken, tickIds],
    );
    return new Set(rows.map((r) => r.id));
  }

  /** Inserts what is new and returns its ids; rows whose id already exists are left untouched. */
  async insertActions(m: EntityManager, personaId: string, rows: ActionRow[]): Promise<Set<string>> {
    if (rows.length === 0) return new Set();
    const col = <K extends keyof ActionRow>(k: K) => rows.map((r) => r[k]);
    const inserted: Array<{ id: string }> = await m.query(
      `INSERT INTO persona_actions (id, persona_id, tick_id, seq, tool_name, module, input_hash, result,
                                    error_kind, error_message, latency_ms, origin,
                                    input, output, input_truncated, output_truncated)
       SELECT r.id, $1::uuid, r.tick_id, r.seq, r.tool_name, r.module, r.input_hash, r.result,
              r.error_kind, r.error_message, r.latency_ms, r.origin,
              r.input, r.output, r.input_truncated, r.output_truncated
         FROM unnest($2::text[], $3::uuid[], $4::int[], $5::text[], $6::text[], $7::text[], $8::text[],
                     $9::text[], $10::text[], $11::int[], $12::text[],
                     $13::text[], $14::text[], $15::boolean[], $16::boolean[])
           AS r(id, tick_id, seq, tool_name, module, input_hash, result, error_kind, error_message, latency_ms,
                origin, input, output, input_truncated, output_truncated)
       ON CONFLICT (id) DO NOTHING
       RETURNING id`,
      [
        personaId,
        col('id'),
        col('tickId'),
        col('seq'),
        col('toolName'),
        col('module'),
        col('inputHash'),
        col('result'),
        col('errorKind'),
        col('errorMessage'),
        col('latencyMs'),
        col('origin'),
        col('input'),
        col('output'),
        col('inputTruncated'),
        col('outputTruncated'),
      ],
    );
    return new Set(inserted.map((r) => r.id));
  }

  async findActions(
    m: EntityManager,
    ids: string[],
  ): Promise<Map<string, ActionView & { personaId: string }>> {
    const rows: Array<ActionView & { personaId: string }> = await m.query(
      `SELECT ${ACTION_COLUMNS}, persona_id AS "personaId" FROM persona_actions WHERE id = ANY($1::text[])`,
      [ids],
    );
    return new Map(rows.map((r) => [r.id, r]));
  }

  async insertFeedback(m: EntityManager, personaId: string, rows: FeedbackRow[]): Promise<Set<string>> {
    if (rows.length === 0) return new Set();
    const inserted: Array<{ id: string }> = await m.query(
      `INSERT INTO persona_feedback (id, persona_id, tick_id, module, rating, notes)
       SELECT r.id, $1::uuid, r.tick_id, r.module, r.rating, r.notes
         FROM unnest($2::text[], $3::uuid[], $4::text[], $5::smallint[], $6::text[])
           AS r(id, tick_id, module, rating, notes)
       ON CONFLICT (id) DO NOTHING
       RETURNING id`,
      [
        personaId,
        rows.map((r) => r.id),
        rows.map((r) => r.tickId),
        rows.map((r) => r.module),
        rows.map((r) => r.rating),
        rows.map((r) => r.notes),
      ],
    );
    return new Set(inserted.map((r) => r.id));
  }

  async findFeedback(
    m: EntityManager,
    ids: string[],
  ): Promise<Map<string, FeedbackRow & { personaId: string }>> {
    const rows: Array<FeedbackRow & { personaId: string }> = await m.query(
      `SELECT id, tick_id AS "tickId", module, rating, notes, persona_id AS "personaId"
         FROM persona_feedback WHERE id = ANY($1::text[])`,
      [ids],
    );
    return new Map(rows.map((r) => [r.id, r]));
  }

  async insertFindings(m: EntityManager, personaId: string, rows: FindingRow[]): Promise<Set<string>> {
    if (rows.length === 0) return new Set();
    const col = <K extends keyof FindingRow>(k: K) => rows.map((r) => r[k]);
    const inserted: Array<{ id: string }> = await m.query(
      `INSERT INTO persona_findings (id, persona_id, tick_id, seq, module, tool, class, check_name, expected,
                                     got, source, persona_mistake)
       SELECT r.id, $1::uuid, r.tick_id, r.seq, r.module, r.tool, r.class, r.check_name, r.expected, r.got,
              r.source, r.persona_mistake
         FROM unnest($2::text[], $3::uuid[], $4::int[], $5::text[], $6::text[], $7::text[], $8::text[],
                     $9::text[], $10::text[], $11::text[], $12::boolean[])
           AS r(id, tick_id, seq, module, tool, class, check_name, expected, got, source, persona_mistake)
       ON CONFLICT (id) DO NOTHING
       RETURNING id`,
      [
        personaId,
        col('id'),
        col('tickId'),
        col('seq'),
        col('module'),
        col('tool'),
        col('class'),
        col('check'),
        col('expected'),
        col('got'),
        col('source'),
        col('personaMistake'),
      ],
    );
    return new Set(inserted.map((r) => r.id));
  }

  async findFindings(
    m: EntityManager,
    ids: string[],
  ): Promise<Map<string, FindingRow & { personaId: string }>> {
    const rows: Array<FindingRow & { personaId: string }> = await m.query(
      `SELECT id, tick_id AS "tickId", seq, module, tool, class, check_name AS "check", expected, got,
              source, persona_mistake AS "personaMistake", persona_id AS "personaId"
         FROM persona_findings WHERE id = ANY($1::text[])`,
      [ids],
    );
    return new Map(rows.map((r) => [r.id, r]));
  }

  /** Which of these ticks are the persona's (a finding references its tick; actions do not). */
  async ticksOf(m: EntityManager, personaId: string, tickIds: string[]): Promise<Set<string>> {
    const rows: Array<{ id: string }> = await m.query(
      `SELECT id FROM persona_ticks WHERE persona_id = $1 AND id = ANY($2::uuid[])`,
      [personaId, tickIds],
    );
    return new Set(rows.map((r) => r.id));
  }
}
