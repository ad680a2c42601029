import { rmSync } from 'node:fs';
import pg from 'pg';

export default async function globalTeardown() {
  const created = globalThis.__MANA_TEST_DB__;
  if (created) {
    const admin = new pg.Client({ connectionString: created.base });
    await admin.connect();
    await admin.query(`DROP DATABASE IF EXISTS ${created.name} WITH (FORCE)`);
    await admin.end();
  }
  const embedded = globalThis.__MANA_TEST_PGLITE__;
  if (embedded) {
    await embedded.server.stop();
    await embedded.db.close();
  }
  if (globalThis.__MANA_TEST_BUILD_OWNED__ && process.env.MANA_TEST_BUILD?.includes('.test-build'))
    rmSync(process.env.MANA_TEST_BUILD, { recursive: true, force: true });
  if (process.env.DATA_DIR?.includes('mana-test-'))
    rmSync(process.env.DATA_DIR, { recursive: true, force: true });
}
