import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * `persona_actions.origin`: who made the call. `brain` for what the persona chose to do (the LLM or
 * the scripted playbooks), `oracle` for the oracle engine's own probes (read-backs through every
 * reader, use-after-delete, schema-generated refusal and boundary inputs). A refused probe is the
 * engine doing its job, so reports and tests tell the two apart.
 */
export class ActionOrigin1763700012000 implements MigrationInterface {
  name = 'ActionOrigin1763700012000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      ALTER TABLE persona_actions
        ADD COLUMN origin text NOT NULL DEFAULT 'brain',
        ADD CONSTRAINT ck_persona_actions_origin CHECK (origin IN ('brain', 'oracle'))`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(
      `ALTER TABLE persona_actions DROP CONSTRAINT ck_persona_actions_origin, DROP COLUMN origin`,
    );
  }
}
