import type { MigrationInterface, QueryRunner } from 'typeorm';

export class EncryptionKeys1763700003000 implements MigrationInterface {
  name = 'EncryptionKeys1763700003000';

  async up(q: QueryRunner): Promise<void> {
    // a user's master key = their personal space's data key; null once they switched to zero-knowledge
    await q.query(`
      CREATE TABLE user_keys (
        user_id uuid PRIMARY KEY REFERENCES users(id) ON DELETE CASCADE,
        wrapped_key text,
        zero_knowledge boolean NOT NULL DEFAULT false,
        zero_knowledge_at timestamptz,
        created_at timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT ck_user_keys_wrapped CHECK (
          (zero_knowledge AND wrapped_key IS NULL AND zero_knowledge_at IS NOT NULL)
          OR (NOT zero_knowledge AND wrapped_key LIKE 'kw:1:%')
        )
      )`);
    await q.query(`
      CREATE TABLE space_keys (
        space_id uuid PRIMARY KEY REFERENCES spaces(id) ON DELETE CASCADE,
        wrapped_key text NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT ck_space_keys_wrapped CHECK (wrapped_key LIKE 'kw:1:%')
      )`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE space_keys`);
    await q.query(`DROP TABLE user_keys`);
  }
}
