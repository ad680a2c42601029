import type { MigrationInterface, QueryRunner } from 'typeorm';

export class Personas1763700001000 implements MigrationInterface {
  name = 'Personas1763700001000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE personas (
        user_id uuid PRIMARY KEY REFERENCES users(id) ON DELETE CASCADE,
        archetype text NOT NULL,
        system_prompt text NOT NULL,
        module_mix jsonb NOT NULL,
        tick_cadence text NOT NULL DEFAULT 'daily',
        timezone text NOT NULL DEFAULT 'UTC',
        last_active_at timestamptz,
        next_due_at timestamptz,
        consecutive_failures integer NOT NULL DEFAULT 0,
        lease_owner text,
        lease_expires_at timestamptz,
        lease_token uuid,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT ck_personas_cadence CHECK (tick_cadence IN ('hourly', 'daily', 'weekdays')),
        CONSTRAINT ck_personas_archetype CHECK (char_length(archetype) BETWEEN 1 AND 64),
        CONSTRAINT ck_personas_prompt CHECK (char_length(system_prompt) BETWEEN 20 AND 8000),
        CONSTRAINT ck_personas_mix CHECK (jsonb_typeof(module_mix) = 'object'),
        CONSTRAINT ck_personas_failures CHECK (consecutive_failures >= 0)
      )`);
    await q.query(`CREATE INDEX ix_personas_next_due ON personas (next_due_at NULLS FIRST)`);

    await q.query(`
      CREATE TABLE persona_ticks (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        persona_id uuid NOT NULL REFERENCES personas(user_id) ON DELETE CASCADE,
        status text NOT NULL DEFAULT 'running',
        brain text NOT NULL,
        model text,
        lease_token uuid,
        started_at timestamptz NOT NULL DEFAULT now(),
        finished_at timestamptz,
        tool_calls integer NOT NULL DEFAULT 0,
        tokens_in integer NOT NULL DEFAULT 0,
        tokens_out integer NOT NULL DEFAULT 0,
        cost_usd numeric(12, 6) NOT NULL DEFAULT 0,
        error text,
        rating_error text,
        CONSTRAINT ck_persona_ticks_status CHECK (status IN ('running', 'ok', 'failed', 'timed_out')),
        CONSTRAINT ck_persona_ticks_error_len CHECK (error IS NULL OR char_length(error) <= 2000),
        CONSTRAINT ck_persona_ticks_counts CHECK (tool_calls >= 0 AND tokens_in >= 0 AND tokens_out >= 0 AND cost_usd >= 0)
      )`);
    await q.query(
      `CREATE INDEX ix_persona_ticks_persona_started ON persona_ticks (persona_id, started_at DESC)`,
    );
    await q.query(`CREATE INDEX ix_persona_ticks_started ON persona_ticks (started_at DESC)`);

    // append-only audit; tick_id has no foreign key so a remote runner can post actions of ticks it tracks itself
    await q.query(`
      CREATE TABLE persona_actions (
        id text PRIMARY KEY,
        persona_id uuid NOT NULL REFERENCES personas(user_id) ON DELETE CASCADE,
        tick_id uuid NOT NULL,
        seq integer NOT NULL,
        tool_name text NOT NULL,
        module text NOT NULL,
        input_hash text,
        result text NOT NULL,
        error_kind text,
        error_message text,
        latency_ms integer,
        created_at timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT ck_persona_actions_result CHECK (result IN ('ok', 'error')),
        CONSTRAINT ck_persona_actions_error_kind CHECK (error_kind IS NULL OR error_kind IN ('protocol', 'tool', 'timeout')),
        CONSTRAINT ck_persona_actions_error_len CHECK (error_message IS NULL OR char_length(error_message) <= 2000),
        CONSTRAINT ck_persona_actions_seq CHECK (seq >= 0),
        CONSTRAINT ck_persona_actions_latency CHECK (latency_ms IS NULL OR latency_ms >= 0)
      )`);
    await q.query(
      `CREATE INDEX ix_persona_actions_persona_created ON persona_actions (persona_id, created_at DESC)`,
    );
    await q.query(`CREATE INDEX ix_persona_actions_tick ON persona_actions (tick_id, seq)`);
    await q.query(
      `CREATE INDEX ix_persona_actions_tool_created ON persona_actions (tool_name, created_at DESC)`,
    );
    await q.query(`CREATE INDEX ix_persona_actions_created ON persona_actions (created_at DESC)`);

    await q.query(`
      CREATE TABLE persona_feedback (
        id text PRIMARY KEY,
        persona_id uuid NOT NULL REFERENCES personas(user_id) ON DELETE CASCADE,
        tick_id uuid NOT NULL,
        module text NOT NULL,
        rating smallint NOT NULL,
        notes text,
        created_at timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT ck_persona_feedback_rating CHECK (rating BETWEEN 1 AND 5),
        CONSTRAINT ck_persona_feedback_notes_len CHECK (notes IS NULL OR char_length(notes) <= 4000),
        CONSTRAINT ux_persona_feedback_tick_module UNIQUE (tick_id, module)
      )`);
    await q.query(
      `CREATE INDEX ix_persona_feedback_module_created ON persona_feedback (module, created_at DESC)`,
    );
    await q.query(
      `CREATE INDEX ix_persona_feedback_persona_created ON persona_feedback (persona_id, created_at DESC)`,
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE persona_feedback`);
    await q.query(`DROP TABLE persona_actions`);
    await q.query(`DROP TABLE persona_ticks`);
    await q.query(`DROP TABLE personas`);
  }
}
