/** Answer of ToolRateLimiter.take(). */
export type RateDecision = { allowed: true } | { allowed: false; retryAfterMs: number };

interface Hits {
  /** Call times, ascending; entries before `head` are expired. */
  times: number[];
  head: number;
}

/**
 * An exact sliding-window limit: at most `limit` calls per key in any `windowMs`. Per key it keeps at
 * most `limit` timestamps; keys whose window has passed are dropped in a sweep at most once a window,
 * so memory follows the number of active (user, tool) pairs.
 */
export class ToolRateLimiter {
  private readonly keys = new Map<string, Hits>();
  private lastSweep: number;

  constructor(
    readonly limit: number,
    readonly windowMs: number,
    private readonly now: () => number = Date.now,
  ) {
    this.lastSweep = now();
  }

  take(key: string): RateDecision {
    const now = this.now();
    if (now - this.lastSweep >= this.windowMs) this.sweep(now);
    let hits = this.keys.get(key);
    if (!hits) {
      hits = { times: [], head: 0 };
      this.keys.set(key, hits);
    }
    const cutoff = now - this.windowMs;
    while (hits.head < hits.times.length && hits.times[hits.head] <= cutoff) hits.head++;
    if (hits.head > 64 && hits.head * 2 > hits.times.length) {
      hits.times = hits.times.slice(hits.head);
      hits.head = 0;
    }
    if (hits.times.length - hits.head >= this.limit) {
      return { allowed: false, retryAfterMs: Math.max(1, hits.times[hits.head] + this.windowMs - now) };
    }
    hits.times.push(now);
    return { allowed: true };
  }

  /** Number of keys held (for tests of the sweep). */
  get size(): number {
    return this.keys.size;
  }

  private sweep(now: number): void {
    this.lastSweep = now;
    const cutoff = now - this.windowMs;
    for (const [key, hits] of this.keys) {
      if (hits.times.length === 0 || hits.times[hits.times.length - 1] <= cutoff) this.keys.delete(key);
    }
  }
}
