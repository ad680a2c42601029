import { Inject, Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import type { EntityManager } from 'typeorm';
import { isUuid } from '../../common/uuid.js';
import {
  ACTIONS_TABLE,
  FEEDBACK_TABLE,
  FINDINGS_TABLE,
  PersonaAuditRepository,
  comparedFields,
} from './persona-audit.repository.js';
import type { AuditTable, StoredRow } from './persona-audit.repository.js';
import { validateActions, validateFeedback, validateFindings } from '../persona-records.js';
import type { ActionInput, FeedbackInput, FindingInput, RecordResult } from '../persona-records.js';
import { PersonaErrorCode, PersonaException } from '../personas.exception.js';
import { TrajectoryCipher } from './trajectory-cipher.service.js';

export type { ActionInput, FeedbackInput, FindingInput, RecordResult } from '../persona-records.js';

interface Batch<R> {
  /** The request's field, as messages name its rows (`findings[2]`). */
  field: 'actions' | 'feedback' | 'findings';
  table: AuditTable<R>;
  /** Checks inside the transaction before anything is written (e.g. that a referenced tick exists). */
  precheck?: (m: EntityManager, rows: R[]) => Promise<void>;
}

/**
 * The audit trail a tick leaves: tool calls (persona_actions), ratings (persona_feedback) and findings
 * (persona_findings), from the in-process runner and the internal API alike. Every write is
 * idempotent by a deterministic id: the same id with the same payload is a duplicate and writes
 * nothing; the same id with a different payload is refused with 422 naming it, and then the whole
 * batch is rolled back (nothing of it is written), so a runner that retries a corrected batch never
 * leaves half of the wrong one behind.
 */
@Injectable()
export class PersonaAuditService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    @Inject(PersonaAuditRepository) private readonly repo: PersonaAuditRepository,
    @Inject(TrajectoryCipher) private readonly trajectory: TrajectoryCipher,
  ) {}

  /** Appends tool calls; ids are `{tickId}-{seq}-{toolName}`. */
  async recordActions(personaId: string, leaseToken: string, actions: ActionInput[]): Promise<RecordResult> {
    const checked = validateActions(actions);
    // input and answer sealed for the persona (encrypted: a repeat never compares equal, so a
    // duplicate is judged by the other fields, inputHash included)
    const key = isUuid(personaId) ? await this.trajectory.keyFor(personaId, checked) : null;
    const rows = this.trajectory.seal(key, checked);
    return this.recordBatch(personaId, leaseToken, rows, { field: 'actions', table: ACTIONS_TABLE });
  }

  /** Appends ratings; ids are `{tickId}-{module}`. */
  async recordFeedback(
    personaId: string,
    leaseToken: string,
    feedback: FeedbackInput[],
  ): Promise<RecordResult> {
    const rows = validateFeedback(feedback);
    return this.recordBatch(personaId, leaseToken, rows, { field: 'feedback', table: FEEDBACK_TABLE });
  }

  /**
   * Appends findings; ids are `{tickId}-{seq ?? 'none'}-{check}`, `expected`/`got` clipped to 200
   * characters before they are stored or compared. Each finding's tick must be one of the persona's
   * (400 naming the row otherwise).
   */
  async recordFindings(
    personaId: string,
    leaseToken: string,
    findings: FindingInput[],
  ): Promise<RecordResult> {
    const rows = validateFindings(findings);
    return this.recordBatch(personaId, leaseToken, rows, {
      field: 'findings',
      table: FINDINGS_TABLE,
      precheck: async (m, sorted) => {
        const known = await this.repo.ticksOf(m, personaId, [...new Set(sorted.map((r) => r.tickId))]);
        const problems = rows
          .map((r, i) =>
            known.has(r.tickId) ? undefined : `findings[${i}].tickId: no tick ${r.tickId} of this persona`,
          )
          .filter((p): p is string => p !== undefined);
        if (problems.length > 0)
          throw new PersonaException(PersonaErrorCode.INVALID_INPUT, problems.join('; '));
      },
    });
  }

  /** One finding, written before this resolves; a repeat of the same finding writes nothing. */
  async recordFinding(personaId: string, leaseToken: string, finding: FindingInput): Promise<void> {
    await this.recordFindings(personaId, leaseToken, [finding]);
  }

  private async recordBatch<R extends { id: string; tickId: string }>(
    personaId: string,
    leaseToken: string,
    rows: R[],
    { field, table, precheck }: Batch<R>,
  ): Promise<RecordResult> {
    if (!isUuid(personaId)) throw notFound(personaId);
    if (!isUuid(leaseToken)) {
      throw new PersonaException(PersonaErrorCode.INVALID_INPUT, 'leaseToken must be a UUID');
    }
    // one lock order for every writer: two batches sharing ids can wait on each other, never deadlock
    const sorted = [...rows].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
    return this.dataSource.transaction(async (m) => {
      const lease = await this.repo.lockLease(m, personaId);
      if (lease === undefined) throw notFound(personaId);
      await precheck?.(m, sorted);
      await this.fence(m, personaId, leaseToken, lease, sorted);
      const inserted = await this.repo.insertRows(m, table, personaId, sorted);
      const seen = rows.filter((r) => !inserted.has(r.id));
      if (seen.length > 0) {
        const stored = await this.repo.findRows(
          m,
          table,
          seen.map((r) => r.id),
        );
        for (const row of seen) {
          const existing = stored.get(row.id);
          const diff = existing
            ? [
                ...(existing.personaId === personaId ? [] : ['persona']),
                ...diffFields(existing, row, comparedFields(table)),
              ]
            : ['row'];
          if (diff.length > 0) {
            throw new PersonaException(
              PersonaErrorCode.PAYLOAD_MISMATCH,
              `${field}[${rows.indexOf(row)}]: id ${row.id} was already recorded with a different ` +
                `${diff.join(', ')}; the stored row is unchanged and nothing of this batch was written`,
            );
          }
        }
      }
      return { inserted: inserted.size, duplicates: rows.length - inserted.size };
    });
  }

  /**
   * Fencing: a batch is written only under the current lease of every tick it names. A token that is
   * not the persona's lease any more (taken over, finished, released), or a tick that is not running
   * under it, is refused with 409 and nothing of the batch is written.
   */
  private async fence(
    m: EntityManager,
    personaId: string,
    leaseToken: string,
    lease: string | null,
    rows: Array<{ tickId: string }>,
  ): Promise<void> {
    const tickIds = [...new Set(rows.map((r) => r.tickId))];
    const live =
      lease === leaseToken ? await this.repo.ticksUnderLease(m, personaId, leaseToken, tickIds) : null;
    const stale = live ? tickIds.filter((id) => !live.has(id)) : tickIds;
    if (lease !== leaseToken || stale.length > 0) {
      const which = stale.length > 0 ? `tick ${stale.join(', ')}` : 'this persona';
      throw new PersonaException(
        PersonaErrorCode.LEASE_LOST,
        `${which}: the lease token is not the current lease (the tick finished, or another runner took the persona over); nothing of this batch was written`,
      );
    }
  }
}

function notFound(id: string): PersonaException {
  return new PersonaException(PersonaErrorCode.NOT_FOUND, `No persona with id ${id}`);
}

function diffFields<R>(stored: StoredRow<R>, row: R, fields: Array<keyof R & string>): string[] {
  return fields.filter((f) => (stored[f] ?? null) !== (row[f] ?? null));
}
