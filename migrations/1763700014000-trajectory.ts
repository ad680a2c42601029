import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The persona's day in full:
 * - `persona_actions.input` / `output`: what the persona sent and what the app answered, as JSON text
 *   with secrets taken out, cut to TRAJECTORY_MAX_BYTES (`*_truncated` says so), and stored encrypted
 *   with the persona's own key (the field-cipher wire format) like the app stores its content;
 *   TRAJECTORY_RETENTION_DAYS sets both to NULL later, the audit row itself stays.
 * - `persona_ticks.words`: the persona's own words for the day (a JSON array of short lines).
 * The partial index holds only the rows that still keep content: the hourly prune reads the oldest
 * of them and nothing else.
 */
export class Trajectory1763700014000 implements MigrationInterface {
  name = 'Trajectory1763700014000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      ALTER TABLE persona_actions
        ADD COLUMN input text,
        ADD COLUMN output text,
        ADD COLUMN input_truncated boolean NOT NULL DEFAULT false,
        ADD COLUMN output_truncated boolean NOT NULL DEFAULT false`);
    await q.query(`
      CREATE INDEX ix_persona_actions_trajectory_kept ON persona_actions (created_at)
        WHERE input IS NOT NULL OR output IS NOT NULL`);
    await q.query(`
      ALTER TABLE persona_ticks
        ADD COLUMN words jsonb,
        ADD CONSTRAINT ck_persona_ticks_words CHECK (words IS NULL OR jsonb_typeof(words) = 'array')`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE persona_ticks DROP CONSTRAINT ck_persona_ticks_words, DROP COLUMN words`);
    await q.query(`DROP INDEX ix_persona_actions_trajectory_kept`);
    await q.query(`
      ALTER TABLE persona_actions
        DROP COLUMN input, DROP COLUMN output, DROP COLUMN input_truncated, DROP COLUMN output_truncated`);
  }
}
