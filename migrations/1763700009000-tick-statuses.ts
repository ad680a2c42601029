import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Two tick endings of their own, and one more kind of failed call:
 * - `aborted`: the runner shut down and cut the tick after RUNNER_SHUTDOWN_GRACE_MS;
 * - `budget_exceeded`: the anthropic brain stopped the tick at TICK_BUDGET_USD;
 * - error kind `unknown_tool`: the model called a tool name that does not exist (nothing reached
 *   the app; the call is still in the audit so the reports show the model's confusion).
 * The lists mirror TICK_STATUSES and ERROR_KINDS in src/personas/schedule/persona-schedule.types.ts.
 */
export class TickStatuses1763700009000 implements MigrationInterface {
  name = 'TickStatuses1763700009000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE persona_ticks DROP CONSTRAINT ck_persona_ticks_status`);
    await q.query(
      `ALTER TABLE persona_ticks ADD CONSTRAINT ck_persona_ticks_status
         CHECK (status IN ('running', 'ok', 'failed', 'timed_out', 'aborted', 'budget_exceeded'))`,
    );
    await q.query(`ALTER TABLE persona_actions DROP CONSTRAINT ck_persona_actions_error_kind`);
    await q.query(
      `ALTER TABLE persona_actions ADD CONSTRAINT ck_persona_actions_error_kind
         CHECK (error_kind IS NULL OR error_kind IN ('protocol', 'tool', 'timeout', 'unknown_tool'))`,
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE persona_actions DROP CONSTRAINT ck_persona_actions_error_kind`);
    await q.query(
      `ALTER TABLE persona_actions ADD CONSTRAINT ck_persona_actions_error_kind
         CHECK (error_kind IS NULL OR error_kind IN ('protocol', 'tool', 'timeout'))`,
    );
    await q.query(`ALTER TABLE persona_ticks DROP CONSTRAINT ck_persona_ticks_status`);
    await q.query(
      `ALTER TABLE persona_ticks ADD CONSTRAINT ck_persona_ticks_status
         CHECK (status IN ('running', 'ok', 'failed', 'timed_out'))`,
    );
  }
}
