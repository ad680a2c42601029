import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The admin list pages personas newest first with a keyset on (created_at, user_id)
 * (PersonasRepository.listPage): this index makes every page an index range scan.
 */
export class PersonasAdminIndexes1763700004000 implements MigrationInterface {
  name = 'PersonasAdminIndexes1763700004000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE INDEX ix_personas_created_user ON personas (created_at DESC, user_id DESC)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX ix_personas_created_user`);
  }
}
