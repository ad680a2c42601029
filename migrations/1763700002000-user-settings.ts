import type { MigrationInterface, QueryRunner } from 'typeorm';

/** Per-user settings (user-level, not space-scoped): the destructive-tools opt-in for MCP. */
export class UserSettings1763700002000 implements MigrationInterface {
  name = 'UserSettings1763700002000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE user_settings (
        user_id uuid NOT NULL,
        destructive_tools_enabled boolean NOT NULL DEFAULT false,
        updated_at timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT pk_user_settings PRIMARY KEY (user_id),
        CONSTRAINT fk_user_settings_user FOREIGN KEY (user_id) REFERENCES users(id) ON DELETE CASCADE
      )`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE user_settings`);
  }
}
