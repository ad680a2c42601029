import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import type { PersonaScheduleFacts } from './not-ticking.js';

/** A persona's schedule facts with the database's clock at the read. */
export interface PersonaScheduleFactsRow extends PersonaScheduleFacts {
  userId: string;
  now: Date;
}

/** The reads behind a persona's next due time and why it may not tick (not-ticking.ts). */
@Injectable()
export class NotTickingRepository {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  /**
   * The schedule columns, the account's disabled_at and the lease of these personas, with now().
   * Shape: primary-key probes of `personas` and `users` for one page (at most the list's limit);
   * read apart from the list query so the list's keyset and lateral figures stay as they are, and
   * with now() from the same statement, so every persona of a page is judged at one instant by the
   * clock the claims use.
   */
  facts(personaIds: readonly string[]): Promise<PersonaScheduleFactsRow[]> {
    return this.dataSource.query(
      `SELECT p.user_id AS "userId", p.tick_cadence AS "tickCadence", p.timezone,
              p.next_due_at AS "nextDueAt", p.consecutive_failures AS "consecutiveFailures",
              p.created_at AS "createdAt", p.lease_expires_at AS "leaseExpiresAt",
              u.disabled_at AS "disabledAt", now() AS now
         FROM personas p JOIN users u ON u.id = p.user_id
        WHERE p.user_id = ANY($1::uuid[])`,
      [personaIds],
    );
  }
}
