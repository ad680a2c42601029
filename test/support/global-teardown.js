import { rmSync } from 'node:fs';
import pg from 'pg';

export default async function globalTeardown() {
  const created = globalThis.__MANA_TEST_DB__;
  if (created) {
    const admin = new pg.Client({ connectionString: created.base });
    await admin.connect();
    for (const name of created.names) await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    await admin.end();
  }
  // each embedded Postgres stops (and removes its data) when its stdin closes
  const children = globalThis.__MANA_TEST_PGLITE__ ?? [];
  await Promise.all(
    children.map(
      (child) =>
        new Promise((resolve) => {
          if (child.exitCode !== null) return resolve();
          child.once('exit', resolve);
          child.stdin.end();
          setTimeout(() => child.kill('SIGKILL'), 10_000).unref();
        }),
    ),
  );
  if (globalThis.__MANA_TEST_BUILD_OWNED__ && process.env.MANA_TEST_BUILD?.includes('.test-build'))
    rmSync(process.env.MANA_TEST_BUILD, { recursive: true, force: true });
  if (process.env.DATA_DIR?.includes('mana-test-'))
    rmSync(process.env.DATA_DIR, { recursive: true, force: true });
}
