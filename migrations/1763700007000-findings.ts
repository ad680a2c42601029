import type { MigrationInterface, QueryRunner } from 'typeorm';

/** persona_findings: what a persona noticed was wrong (issue 11), written as it happens, like actions. */
export class Findings1763700007000 implements MigrationInterface {
  name = 'Findings1763700007000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE persona_findings (
        id text NOT NULL,
        persona_id uuid NOT NULL,
        tick_id uuid NOT NULL,
        seq integer,
        module text NOT NULL,
        tool text NOT NULL,
        class text NOT NULL,
        check_name text NOT NULL,
        expected text NOT NULL,
        got text NOT NULL,
        source text NOT NULL,
        persona_mistake boolean NOT NULL DEFAULT false,
        created_at timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT pk_persona_findings PRIMARY KEY (id),
        CONSTRAINT fk_persona_findings_persona FOREIGN KEY (persona_id)
          REFERENCES personas(user_id) ON DELETE CASCADE,
        CONSTRAINT fk_persona_findings_tick FOREIGN KEY (tick_id)
          REFERENCES persona_ticks(id) ON DELETE CASCADE,
        CONSTRAINT ck_persona_findings_class
          CHECK (class IN ('error', 'slow', 'wrong_result', 'lost_write', 'contract', 'confusing')),
        CONSTRAINT ck_persona_findings_source CHECK (source IN ('oracle', 'llm', 'call')),
        CONSTRAINT ck_persona_findings_seq CHECK (seq IS NULL OR seq >= 0),
        CONSTRAINT ck_persona_findings_check_len CHECK (char_length(check_name) BETWEEN 1 AND 100),
        CONSTRAINT ck_persona_findings_expected_len CHECK (char_length(expected) <= 200),
        CONSTRAINT ck_persona_findings_got_len CHECK (char_length(got) <= 200)
      )`);
    await q.query(
      `CREATE INDEX ix_persona_findings_persona_created ON persona_findings (persona_id, created_at DESC)`,
    );
    await q.query(
      `CREATE INDEX ix_persona_findings_module_tool_class_created
         ON persona_findings (module, tool, class, created_at DESC)`,
    );
    await q.query(`CREATE INDEX ix_persona_findings_tick ON persona_findings (tick_id)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE persona_findings`);
  }
}
