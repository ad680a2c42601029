import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The fault lab's planted defects (src/faults). Every instance reads the active ones every
 * FAULTS_POLL_MS, hence the partial index: the poll touches only uncleared rows, however long the
 * history grows. The ranges mirror the API's (src/faults/fault-catalog.ts).
 */
export class Faults1763700008000 implements MigrationInterface {
  name = 'Faults1763700008000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE faults (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        defect text NOT NULL,
        probability double precision,
        delay_ms integer,
        note text,
        planted_by uuid REFERENCES users(id) ON DELETE SET NULL,
        planted_at timestamptz NOT NULL DEFAULT now(),
        cleared_by uuid REFERENCES users(id) ON DELETE SET NULL,
        cleared_at timestamptz,
        CONSTRAINT ck_faults_defect CHECK (char_length(defect) BETWEEN 1 AND 100),
        CONSTRAINT ck_faults_probability CHECK (probability IS NULL OR probability BETWEEN 0 AND 1),
        CONSTRAINT ck_faults_delay CHECK (delay_ms IS NULL OR delay_ms BETWEEN 0 AND 60000),
        CONSTRAINT ck_faults_note CHECK (note IS NULL OR char_length(note) <= 500),
        CONSTRAINT ck_faults_cleared_after CHECK (cleared_at IS NULL OR cleared_at >= planted_at)
      )`);
    await q.query(`CREATE INDEX ix_faults_active ON faults (planted_at) WHERE cleared_at IS NULL`);
    await q.query(`CREATE INDEX ix_faults_planted ON faults (planted_at DESC)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE faults`);
  }
}
