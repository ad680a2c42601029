import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Targets: the external MCP servers personas may play instead of the built-in app (src/personas/targets).
 * A target is reached over Streamable HTTP (`url`) or started by command (`command` + `args`, stdio).
 * Header and environment values are secrets: `secrets` holds them as one field-encrypted JSON object
 * `{ headers, env }` bound to the row (enc:1, AES-256-GCM, key derived from MASTER_KEK); only their
 * names are kept in the clear, to be answered. A persona points at one target (null: the built-in
 * app) and may carry its own headers (`target_secrets`, encrypted the same way) that override the
 * target's; a target in use cannot be deleted (ON DELETE RESTRICT).
 */
export class Targets1763700013000 implements MigrationInterface {
  name = 'Targets1763700013000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE targets (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        name text NOT NULL,
        kind text NOT NULL,
        url text,
        command text,
        args jsonb NOT NULL DEFAULT '[]'::jsonb,
        header_names jsonb NOT NULL DEFAULT '[]'::jsonb,
        env_names jsonb NOT NULL DEFAULT '[]'::jsonb,
        secrets text NOT NULL,
        semantics jsonb,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT ck_targets_kind CHECK (kind IN ('http', 'stdio')),
        CONSTRAINT ck_targets_name CHECK (char_length(name) BETWEEN 1 AND 100),
        CONSTRAINT ck_targets_shape CHECK (
          (kind = 'http' AND url IS NOT NULL AND command IS NULL AND args = '[]'::jsonb AND env_names = '[]'::jsonb)
          OR (kind = 'stdio' AND command IS NOT NULL AND url IS NULL AND header_names = '[]'::jsonb)),
        CONSTRAINT ck_targets_lists CHECK (
          jsonb_typeof(args) = 'array' AND jsonb_typeof(header_names) = 'array'
          AND jsonb_typeof(env_names) = 'array'),
        CONSTRAINT ck_targets_secrets CHECK (secrets LIKE 'enc:1:%'),
        CONSTRAINT ck_targets_semantics CHECK (semantics IS NULL OR jsonb_typeof(semantics) = 'object')
      )`);
    await q.query(`CREATE UNIQUE INDEX ux_targets_name ON targets (lower(name))`);
    await q.query(`CREATE INDEX ix_targets_created ON targets (created_at DESC, id DESC)`);
    await q.query(`
      ALTER TABLE personas
        ADD COLUMN target_id uuid CONSTRAINT fk_personas_target REFERENCES targets(id) ON DELETE RESTRICT,
        ADD COLUMN target_secrets text,
        ADD COLUMN target_header_names jsonb NOT NULL DEFAULT '[]'::jsonb,
        ADD CONSTRAINT ck_personas_target_secrets CHECK (
          target_secrets IS NULL OR (target_id IS NOT NULL AND target_secrets LIKE 'enc:1:%')),
        ADD CONSTRAINT ck_personas_target_header_names CHECK (jsonb_typeof(target_header_names) = 'array')`);
    // how many personas use a target (the list's count, the delete's refusal) without a scan
    await q.query(`CREATE INDEX ix_personas_target ON personas (target_id) WHERE target_id IS NOT NULL`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX ix_personas_target`);
    await q.query(`
      ALTER TABLE personas
        DROP CONSTRAINT ck_personas_target_header_names,
        DROP CONSTRAINT ck_personas_target_secrets,
        DROP COLUMN target_header_names,
        DROP COLUMN target_secrets,
        DROP COLUMN target_id`);
    await q.query(`DROP TABLE targets`);
  }
}
