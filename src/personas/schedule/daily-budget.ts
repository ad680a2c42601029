import type { SpendToday } from './persona-schedule.types.js';

/** DAILY_BUDGET_USD against today's spend: one answer for the in-process runner and remote runners. */
export interface DailyBudgetCheck {
  /** DAILY_BUDGET_USD; null when there is no cap. */
  budgetUsd: number | null;
  /** LLM spend of all personas today (UTC, by the database's clock), whichever runner played them. */
  spentTodayUsd: number;
  /** True once the spend has reached the cap: brains that spend (all but `scripted`) wait for the next day. */
  reached: boolean;
  /** Why, when reached (names DAILY_BUDGET_USD and when it resumes); null otherwise. */
  reason: string | null;
  /** The next UTC midnight by the database's clock: when a reached budget applies afresh. */
  resumesAt: Date;
  /** The database's now() at the read. */
  now: Date;
}

/**
 * The daily cap rule: reached when a cap is set and today's spend (persona_ticks.cost_usd of ticks
 * started since UTC midnight, by the database's clock) is at or above it. No cap: never reached.
 */
export function dailyBudgetCheck(spend: SpendToday, capUsd: number | undefined): DailyBudgetCheck {
  const reached = capUsd !== undefined && spend.spentUsd >= capUsd;
  return {
    budgetUsd: capUsd ?? null,
    spentTodayUsd: spend.spentUsd,
    reached,
    reason: reached
      ? `daily budget reached: $${spend.spentUsd.toFixed(4)} of DAILY_BUDGET_USD $${capUsd} spent today (UTC); resumes at ${spend.nextDayAt.toISOString()}`
      : null,
    resumesAt: spend.nextDayAt,
    now: spend.now,
  };
}

/** The brains that spend nothing, so the daily cap never holds them back. */
export const BUDGET_FREE_BRAINS: readonly string[] = ['scripted'];
