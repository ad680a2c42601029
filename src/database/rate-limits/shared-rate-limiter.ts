import { createHash } from 'node:crypto';
import { Logger } from '@nestjs/common';
import { RateLimiterRes } from 'rate-limiter-flexible';
import type { RateLimiterMemory, RateLimiterPostgres } from 'rate-limiter-flexible';

/** What one budget allows (RateLimiterFactory.create). */
export interface RateLimitTerms {
  /** What is limited, kebab-case (`auth-ip`, `tool`): names the budget in the table and in logs. */
  name: string;
  /** Attempts allowed per key per window. */
  points: number;
  windowMs: number;
}

/** The answer to one attempt. */
export interface RateVerdict {
  allowed: boolean;
  /** Attempts left in this key's window (0 once refused). */
  remaining: number;
  /** Milliseconds until this key's window ends: when a refused caller may try again. */
  msBeforeReset: number;
}

/** How often a limiter says again that its store is failing (once is enough in a burst). */
const STORE_WARNING_EVERY_MS = 60_000;

/**
 * One named budget, counted in the database (table `rate_limits`) so that every instance on it counts
 * together: a fixed window per key that opens at the key's first attempt and lasts `windowMs`; every
 * attempt counts, refused ones too; the window's end is when the key may try again. (A fixed window,
 * not a sliding one: a caller may spend a budget at the end of one window and again at the start of
 * the next, so any span of one window length holds at most twice `points`.)
 *
 * Keys are hashed (SHA-256) before they are stored, so the table holds no email or address and every
 * key fits the column whatever its length.
 *
 * When the database does not answer, the attempt is counted in this instance's memory instead (the
 * same terms, as every limit was counted before issue 22) and a warning is logged at most once a
 * minute: neither open (a password guesser would get unlimited tries whenever the limit's statement
 * fails) nor closed (a refusal would blame the caller for the database).
 */
export class SharedRateLimiter {
  private static readonly logger = new Logger(SharedRateLimiter.name);
  private lastWarning = 0;

  constructor(
    readonly terms: RateLimitTerms,
    private readonly store: RateLimiterPostgres,
    private readonly fallback: RateLimiterMemory,
  ) {}

  get points(): number {
    return this.terms.points;
  }

  get windowMs(): number {
    return this.terms.windowMs;
  }

  /** Counts one attempt for `key` and says whether it is within the budget. Never throws. */
  async take(key: string): Promise<RateVerdict> {
    const hashed = createHash('sha256').update(key).digest('base64url');
    try {
      return this.verdict(true, await this.store.consume(hashed));
    } catch (error) {
      if (error instanceof RateLimiterRes) return this.verdict(false, error);
      this.warn(error);
    }
    try {
      return this.verdict(true, await this.fallback.consume(hashed));
    } catch (error) {
      if (error instanceof RateLimiterRes) return this.verdict(false, error);
      throw error;
    }
  }

  private verdict(allowed: boolean, res: RateLimiterRes): RateVerdict {
    return {
      allowed,
      remaining: allowed ? res.remainingPoints : 0,
      // the library answers -1 for a key without expiry, which these budgets never write
      msBeforeReset: Math.max(0, res.msBeforeNext),
    };
  }

  private warn(error: unknown): void {
    const now = Date.now();
    if (now - this.lastWarning < STORE_WARNING_EVERY_MS) return;
    this.lastWarning = now;
    const reason = error instanceof Error ? error.message : String(error);
    SharedRateLimiter.logger.warn(
      `rate limit ${this.terms.name}: the database did not answer (${reason}); counting in this instance's memory until it does`,
    );
  }
}

/** Whole seconds a refused caller should wait (the `Retry-After` value): at least 1. */
export function retryAfterSeconds(verdict: RateVerdict): number {
  return Math.max(1, Math.ceil(verdict.msBeforeReset / 1000));
}
