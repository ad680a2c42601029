/** How a call of the internal API failed, as the finish retry rule sees it. */
export interface ApiFailure {
  /** The HTTP status; undefined when no answer came (network error, timeout). */
  status?: number;
  /** The server's Retry-After, when it sent one. */
  retryAfterMs?: number;
}

export interface FinishRetryRule {
  /** Attempts in all, the first one included. */
  maxAttempts: number;
  /** The first wait; each later one doubles it (jittered in the upper half of the step). */
  baseDelayMs: number;
  /** No retry starts later than this after the first attempt began. */
  maxElapsedMs: number;
  /** A retry starts only while at least this much of the lease is left after the wait. */
  leaseMarginMs: number;
}

/** 4 attempts, waits of ~0.5, 1 and 2 s, all within 10 s of the first and a second before the lease lapses. */
export const FINISH_RETRY: FinishRetryRule = {
  maxAttempts: 4,
  baseDelayMs: 500,
  maxElapsedMs: 10_000,
  leaseMarginMs: 1_000,
};

/** A failure worth another try: no answer at all, 429, or a 5xx. 409 (lease lost) and other 4xx never are. */
export function isTransient(failure: ApiFailure): boolean {
  return failure.status === undefined || failure.status === 429 || failure.status >= 500;
}

/**
 * The remote finish's retry rule: the wait before attempt `failedAttempt + 1`, or null to give up.
 * Gives up on a failure that is not transient, after `maxAttempts`, when the retry would start more
 * than `maxElapsedMs` after the first attempt, or when the lease (`leaseLeftMs`, when known) would
 * have less than `leaseMarginMs` left by then. The wait is exponential with jitter in the upper half
 * of the step, and never shorter than the server's Retry-After.
 */
export function finishRetryDelay(
  failure: ApiFailure,
  failedAttempt: number,
  at: { elapsedMs: number; leaseLeftMs?: number },
  rule: FinishRetryRule = FINISH_RETRY,
  random: () => number = Math.random,
): number | null {
  if (!isTransient(failure) || failedAttempt >= rule.maxAttempts) return null;
  const step = rule.baseDelayMs * 2 ** (failedAttempt - 1);
  const jittered = Math.round(step / 2 + (random() * step) / 2);
  const delay = Math.max(jittered, failure.retryAfterMs ?? 0);
  if (at.elapsedMs + delay > rule.maxElapsedMs) return null;
  if (at.leaseLeftMs !== undefined && at.leaseLeftMs - delay < rule.leaseMarginMs) return null;
  return delay;
}
