import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import type { ActionRow, FeedbackRow, FindingRow } from '../persona-records.js';

/** One column of an audit table: [column, the row field it holds, the Postgres type of its values]. */
type AuditColumn<R> = readonly [column: string, field: keyof R & string, type: string];

/**
 * An audit table as the batch writes see it: every column a batch writes besides persona_id, in
 * order. A repeat of a stored id must match all of them but the id and the `sealed` ones.
 */
export interface AuditTable<R> {
  name: 'persona_actions' | 'persona_feedback' | 'persona_findings';
  columns: ReadonlyArray<AuditColumn<R>>;
  /** Written, never compared: the sealed trajectory (encrypted anew on every write, so never equal). */
  sealed?: ReadonlyArray<keyof R & string>;
}

/** A stored row as findRows reads it: its id, its persona and the fields a repeat is compared on. */
export type StoredRow<R> = Partial<R> & { id: string; personaId: string };

export const ACTIONS_TABLE: AuditTable<ActionRow> = {
  name: 'persona_actions',
  columns: [
    ['id', 'id', 'text'],
    ['tick_id', 'tickId', 'uuid'],
    ['seq', 'seq', 'int'],
    ['tool_name', 'toolName', 'text'],
    ['module', 'module', 'text'],
    ['input_hash', 'inputHash', 'text'],
    ['result', 'result', 'text'],
    ['error_kind', 'errorKind', 'text'],
    ['error_message', 'errorMessage', 'text'],
    ['latency_ms', 'latencyMs', 'int'],
    ['origin', 'origin', 'text'],
    ['input', 'input', 'text'],
    ['output', 'output', 'text'],
    ['input_truncated', 'inputTruncated', 'boolean'],
    ['output_truncated', 'outputTruncated', 'boolean'],
  ],
  sealed: ['input', 'output', 'inputTruncated', 'outputTruncated'],
};

export const FEEDBACK_TABLE: AuditTable<FeedbackRow> = {
  name: 'persona_feedback',
  columns: [
    ['id', 'id', 'text'],
    ['tick_id', 'tickId', 'uuid'],
    ['module', 'module', 'text'],
    ['rating', 'rating', 'smallint'],
    ['notes', 'notes', 'text'],
  ],
};

export const FINDINGS_TABLE: AuditTable<FindingRow> = {
  name: 'persona_findings',
  columns: [
    ['id', 'id', 'text'],
    ['tick_id', 'tickId', 'uuid'],
    ['seq', 'seq', 'int'],
    ['module', 'module', 'text'],
    ['tool', 'tool', 'text'],
    ['class', 'class', 'text'],
    ['check_name', 'check', 'text'],
    ['expected', 'expected', 'text'],
    ['got', 'got', 'text'],
    ['source', 'source', 'text'],
    ['persona_mistake', 'personaMistake', 'boolean'],
  ],
};

/** The fields a repeat of a stored id must match, in column order (the order a 422 names them in). */
export function comparedFields<R>(table: AuditTable<R>): Array<keyof R & string> {
  return table.columns.map(([, field]) => field).filter((f) => f !== 'id' && !table.sealed?.includes(f));
}

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

  /**
   * Inserts what is new and returns its ids; rows whose id already exists are left untouched.
   *
   * Shape: one statement whatever the batch size: one array parameter per column, zipped back into
   * rows by unnest (the casts name each array's element type); ON CONFLICT (id) DO NOTHING makes a
   * retried batch write nothing twice, and RETURNING answers only the ids written now.
   */
  async insertRows<R extends { id: string }>(
    m: EntityManager,
    table: AuditTable<R>,
    personaId: string,
    rows: R[],
  ): Promise<Set<string>> {
    if (rows.length === 0) return new Set();
    const names = table.columns.map(([column]) => column);
    const arrays = table.columns.map(([, , type], i) => `$${i + 2}::${type}[]`);
    const inserted: Array<{ id: string }> = await m.query(
      `INSERT INTO ${table.name} (persona_id, ${names.join(', ')})
       SELECT $1::uuid, ${names.map((n) => `r.${n}`).join(', ')}
         FROM unnest(${arrays.join(', ')}) AS r(${names.join(', ')})
       ON CONFLICT (id) DO NOTHING
       RETURNING id`,
      [personaId, ...table.columns.map(([, field]) => rows.map((r) => r[field]))],
    );
    return new Set(inserted.map((r) => r.id));
  }

  /** The stored rows with these ids (their compared fields and owner): what tells a duplicate from a mismatch. */
  async findRows<R extends { id: string }>(
    m: EntityManager,
    table: AuditTable<R>,
    ids: string[],
  ): Promise<Map<string, StoredRow<R>>> {
    const read = new Set<string>(['id', ...comparedFields(table)]);
    const fields = table.columns
      .filter(([, field]) => read.has(field))
      .map(([c, field]) => `${c} AS "${field}"`);
    const rows: Array<StoredRow<R>> = await m.query(
      `SELECT ${fields.join(', ')}, persona_id AS "personaId" FROM ${table.name} WHERE id = ANY($1::text[])`,
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
