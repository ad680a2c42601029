import { Inject, Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { DATABASE_TARGET } from './database.tokens.js';
import type { DatabaseTarget } from './data-source.options.js';

/**
 * The advisory locks that serialize boot-time work across server instances on one database (two
 * replicas started at once). Arbitrary constants ('mana' + a letter); one per kind of work.
 */
export const ADVISORY_LOCKS = {
  migrations: 0x6d616e61,
  adminBootstrap: 0x6d616e62,
  catalogSeed: 0x6d616e63,
} as const;
export type AdvisoryLockName = keyof typeof ADVISORY_LOCKS;

/**
 * Runs work while holding a session-level PostgreSQL advisory lock (`pg_advisory_lock`), held on a
 * connection of its own so the work may use the pool freely; an instance that asks while another
 * holds it waits, then sees what the first one did. The embedded database has one connection and
 * one process (its data directory is locked), so there the work just runs.
 */
@Injectable()
export class AdvisoryLock {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    @Inject(DATABASE_TARGET) private readonly target: DatabaseTarget,
  ) {}

  async run<T>(name: AdvisoryLockName, work: () => Promise<T>): Promise<T> {
    if (this.target.embedded) return work();
    const key = ADVISORY_LOCKS[name];
    const holder = this.dataSource.createQueryRunner();
    try {
      await holder.query('SELECT pg_advisory_lock($1)', [key]);
      return await work();
    } finally {
      await holder.query('SELECT pg_advisory_unlock($1)', [key]).catch(() => undefined);
      await holder.release();
    }
  }
}
