import type { DataSource } from 'typeorm';

/**
 * Runs one aggregate report read with settings that suit it:
 * - JIT off: PostgreSQL JITs any statement whose estimated cost passes jit_above_cost, and for
 *   these aggregates that is 0.2–1.5 s of compiling to save a few ms (seen in bench/reports.bench.ts);
 * - work_mem 32MB: the tools report sorts a range of calls by tool (its percentiles need sorted
 *   groups); with the 4MB default a 28-day sort of 70,000 calls spills to disk.
 * The SETs are transaction-local, so the pool's connections keep their settings; the transaction
 * holds nothing but this one statement.
 */
export async function readAggregate<T>(db: DataSource, sql: string, params: unknown[]): Promise<T[]> {
  return db.transaction(async (m) => {
    await m.query('SET LOCAL jit = off');
    await m.query(`SET LOCAL work_mem = '32MB'`);
    return m.query(sql, params) as Promise<T[]>;
  });
}
