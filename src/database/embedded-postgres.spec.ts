import pg from 'pg';
import { EmbeddedPostgres } from './embedded-postgres.js';

describe(EmbeddedPostgres.name, () => {
  let embedded: EmbeddedPostgres;
  let pool: pg.Pool;

  beforeAll(async () => {
    embedded = await EmbeddedPostgres.start();
    // the app's pool on the embedded database: one connection (data-source.options.ts)
    pool = new pg.Pool({ connectionString: embedded.url, max: 1 });
  });

  afterAll(async () => {
    await pool.end();
    await embedded.stop();
  });

  it('should keep serving a pooled connection that is returned after a refused statement', async () => {
    // what SpaceDataRepository.run does: a DatabaseError leaves the connection usable, so it goes
    // back to the pool instead of being closed (a reconnect the one-connection server may refuse)
    await pool.query(`CREATE TABLE refusals (status text CONSTRAINT ck_status CHECK (status IN ('open')))`);
    for (let round = 0; round < 3; round++) {
      const client = await pool.connect();
      let broken: Error | undefined;
      try {
        await client.query('INSERT INTO refusals (status) VALUES ($1)', ['']);
      } catch (error) {
        expect(error).toBeInstanceOf(pg.DatabaseError);
        expect((error as Error).message).toMatch(/violates check constraint "ck_status"/);
        if (!(error instanceof pg.DatabaseError)) broken = error as Error;
      } finally {
        client.release(broken);
      }
      const { rows } = await pool.query<{ round: number }>('SELECT $1::int AS round', [round]);
      expect(rows).toEqual([{ round }]);
    }
    await pool.query('INSERT INTO refusals (status) VALUES ($1)', ['open']);
    expect((await pool.query('SELECT status FROM refusals')).rows).toEqual([{ status: 'open' }]);
  });
});
