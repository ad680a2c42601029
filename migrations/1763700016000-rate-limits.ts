import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The rate limits every instance on this database counts together (src/database/rate-limits): one row
 * per budget and key, written by rate-limiter-flexible's RateLimiterPostgres. Its statements fix the
 * shape: `INSERT INTO rate_limits VALUES ($1, $2, $3)` fills the columns by position (key, points,
 * expire), and `expire` is the window's end in epoch milliseconds of the writing instance's clock
 * (bigint, not timestamptz: the library computes and compares it in JavaScript). Rows whose window is
 * over are deleted by each instance's sweep (RateLimiterFactory); the table holds only the keys used in
 * the last few minutes, so the sweep's scan needs no index of its own.
 */
export class RateLimits1763700016000 implements MigrationInterface {
  name = 'RateLimits1763700016000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE rate_limits (
        key varchar(255) NOT NULL,
        points integer NOT NULL DEFAULT 0,
        expire bigint,
        CONSTRAINT pk_rate_limits PRIMARY KEY (key)
      )`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE rate_limits`);
  }
}
