/**
 * TICK_BUDGET_USD as a rule, checked before every LLM call of a tick against what the calls so far
 * cost (the API's own usage, priced):
 * - the next call is assumed to cost at least what the last one did (a conversation only grows);
 * - a day turn goes ahead only if the spend so far, that next call and a reserve for the rating turn
 *   all fit; the reserve is TICK_BUDGET_RESERVE_USD, or the last call's cost when that is more;
 * - a rating (or repair) turn goes ahead if the spend so far and that next call fit the budget.
 * A budget of 0 means no cap.
 */
export class TickBudget {
  constructor(
    readonly limitUsd: number,
    readonly reserveUsd: number,
  ) {}

  dayTurnFits(spentUsd: number, lastCallUsd: number): boolean {
    if (this.limitUsd <= 0) return true;
    return spentUsd + lastCallUsd + Math.max(this.reserveUsd, lastCallUsd) <= this.limitUsd;
  }

  ratingTurnFits(spentUsd: number, lastCallUsd: number): boolean {
    if (this.limitUsd <= 0) return true;
    return spentUsd + lastCallUsd <= this.limitUsd;
  }

  /** Why the tick stopped, for persona_ticks.error. */
  describeStop(spentUsd: number, what: string): string {
    return `tick budget reached: $${spentUsd.toFixed(4)} spent of TICK_BUDGET_USD $${this.limitUsd}; ${what}`;
  }
}
