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

  it('should answer the next query after one the database refused (the pool reconnects at once)', async () => {
    await pool.query(`CREATE TABLE refusals (status text CONSTRAINT ck_status CHECK (status IN ('open')))`);
    for (let round = 0; round < 3; round++) {
      await expect(pool.query('INSERT INTO refusals (status) VALUES ($1)', [''])).rejects.toThrow(
        /violates check constraint "ck_status"/,
      );
      const { rows } = await pool.query<{ round: number }>('SELECT $1::int AS round', [round]);
      expect(rows).toEqual([{ round }]);
    }
    await pool.query('INSERT INTO refusals (status) VALUES ($1)', ['open']);
    expect((await pool.query('SELECT status FROM refusals')).rows).toEqual([{ status: 'open' }]);
  });
});
