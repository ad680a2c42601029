import { Injectable, Logger } from '@nestjs/common';
import type { OnModuleDestroy, OnModuleInit } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { RateLimiterMemory, RateLimiterPostgres } from 'rate-limiter-flexible';
import { SharedRateLimiter } from './shared-rate-limiter.js';
import type { RateLimitTerms } from './shared-rate-limiter.js';

/** The table of every budget (migrations/1763700016000-rate-limits.ts). */
export const RATE_LIMITS_TABLE = 'rate_limits';

/** How often each instance deletes the rows whose window is over. */
const SWEEP_EVERY_MS = 5 * 60_000;

/**
 * Builds the app's rate limiters (login and sign-up, the OAuth sign-in forms, the vault's password
 * checks, tool calls), all on rate-limiter-flexible's PostgreSQL store over the app's one TypeORM pool:
 * every instance on the database counts together, and the embedded database (one connection) needs
 * no second one.
 *
 * A budget's row key starts with its name and its terms (`auth-email/20/60000:…`): instances
 * configured alike share counts, and a change of a limit or its window starts counting afresh.
 *
 * The table is made by a migration (`tableCreated: true`); the library's own expiry timer is off,
 * one sweep per instance every five minutes deletes the rows whose window is over instead (one
 * statement for every budget; a row that is swept and used again at once is just a new window).
 */
@Injectable()
export class RateLimiterFactory implements OnModuleInit, OnModuleDestroy {
  private readonly logger = new Logger(RateLimiterFactory.name);
  private timer?: NodeJS.Timeout;

  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  create(terms: RateLimitTerms): SharedRateLimiter {
    const keyPrefix = `${terms.name}/${terms.points}/${terms.windowMs}`;
    const duration = terms.windowMs / 1000;
    const store = new RateLimiterPostgres({
      storeClient: this.dataSource,
      storeType: 'typeorm',
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
