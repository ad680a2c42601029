import { Injectable, Logger } from '@nestjs/common';
import type { OnModuleDestroy, OnModuleInit } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { RateLimiterMemory, RateLimiterPostgres } from 'rate-limiter-flexible';
import { SharedRateLimiter } from './shared-rate-limiter.js';
import type { RateLimitTerms } from './shared-rate-limiter.js';

/** The table of every budget (migrations/1763700016000-rate-limits.ts). */
export const RATE_LIMITS_TABLE = 'rate_limits';

/** What the library needs of its store client (storeType 'pool'): one statement at a time. */
interface StatementRunner {
  query(statement: { text: string; values?: unknown[]; name?: string }): Promise<unknown>;
}

/** How often each instance deletes the rows whose window is over. */
const SWEEP_EVERY_MS = 5 * 60_000;

/**
 * Builds the app's rate limiters (login and sign-up, the OAuth sign-in forms, the vault's password
 * checks, tool calls), all on rate-limiter-flexible's PostgreSQL store over the app's one TypeORM pool
 * (its pg Pool, `driver.master`): every instance on the database counts together, and the embedded
 * database (one connection) needs no second one.
 *
 * A budget's row key starts with its name and its terms (`auth-email/20/60000:…`): instances
 * configured alike share counts, and a change of a limit or its window starts counting afresh.
 *
 * The library names its statements (server-side prepared statements, per connection); the store
 * client drops the names. The embedded database is one session behind every connection, so a
 * connection that replaces a closed one (the pool closes idle ones) would prepare a name the
 * session already holds and fail ("prepared statement … already exists"); unnamed, each statement is
 * parsed again, which for these one-row statements costs next to nothing.
 *
 * The table is made by a migration (`tableCreated: true`); the library's own expiry timer is off,
 * one sweep per instance every five minutes deletes the rows whose window is over instead (one
 * statement for every budget; a row that is swept and used again at once is just a new window).
 */
@Injectable()
export class RateLimiterFactory implements OnModuleInit, OnModuleDestroy {
  private readonly logger = new Logger(RateLimiterFactory.name);
  private timer?: NodeJS.Timeout;
  private readonly statements: StatementRunner = {
    query: ({ text, values }) => {
      const pool = (this.dataSource.driver as unknown as { master?: StatementRunner }).master;
      if (!pool) return Promise.reject(new Error('the database connection is not open'));
      return pool.query({ text, values });
    },
  };

  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  create(terms: RateLimitTerms): SharedRateLimiter {
    const keyPrefix = `${terms.name}/${terms.points}/${terms.windowMs}`;
    const duration = terms.windowMs / 1000;
    const store = new RateLimiterPostgres({
      storeClient: this.statements,
      storeType: 'pool',
      tableName: RATE_LIMITS_TABLE,
      tableCreated: true,
      clearExpiredByTimeout: false,
      keyPrefix,
      points: terms.points,
      duration,
      // once the database has refused a key, this instance refuses it until the window ends without
      // asking again: a flood against one key costs one statement per instance, not one per request
      inMemoryBlockOnConsumed: terms.points + 1,
    });
    const fallback = new RateLimiterMemory({ keyPrefix, points: terms.points, duration });
    return new SharedRateLimiter(terms, store, fallback);
  }

  onModuleInit(): void {
    this.timer = setInterval(() => void this.sweep(), SWEEP_EVERY_MS);
    this.timer.unref();
  }

  onModuleDestroy(): void {
    clearInterval(this.timer);
  }

  /** Deletes the rows whose window ended before `now`; answers how many. Never throws. */
  async sweep(now = Date.now()): Promise<number> {
    try {
      const result = await this.dataSource
        .createQueryBuilder()
        .delete()
        .from(RATE_LIMITS_TABLE)
        .where('expire < :now', { now })
        .execute();
      return result.affected ?? 0;
    } catch (error) {
      this.logger.warn(`rate limits: the sweep of ended windows failed (${(error as Error).message})`);
      return 0;
    }
  }
}
