/** Rating statistics of one module over one window (sample variance, n − 1 in the denominator). */
export interface WindowStats {
  count: number;
  /** null when count = 0 */
  avg: number | null;
  /** null when count < 2 */
  variance: number | null;
}

export interface RegressionVerdict {
  regressed: boolean;
  /** prev21.avg − last7.avg; null when either window has no ratings. */
  drop: number | null;
  /**
   * Welch's t-statistic of prev21 against last7; null when it cannot be computed (a window with
   * fewer than 2 ratings) or is unbounded (both windows have zero variance and the means differ).
   */
  t: number | null;
  /** Which condition decided (the first that failed, or `regressed`). */
  reason: 'too_few_recent' | 'too_few_before' | 'drop_too_small' | 't_too_small' | 'regressed';
}

/**
 * The regression rule, the one place it is defined (the README quotes this text):
 *
 * A module is flagged as **regressed** when, with windows ending at the report's `to` (default now),
 * last7 = ratings created in [to − 7 days, to) and prev21 = ratings created in [to − 28 days, to − 7 days):
 *   1. last7.count ≥ 3, and
 *   2. prev21.count ≥ 5, and
 *   3. prev21.avg − last7.avg ≥ 0.5 (on the 1–5 scale), and
 *   4. Welch's t = (prev21.avg − last7.avg) / sqrt(prev21.var / prev21.n + last7.var / last7.n) ≥ 2,
 *      with sample variances (n − 1); when both variances are 0 the drop is certain and t counts as +∞.
 * Rules 1–2 keep a handful of ratings from raising an alarm, rule 3 ignores drops too small to matter,
 * rule 4 ignores drops that the spread of the ratings explains.
 */
export const REGRESSION_RULE = {
  recentDays: 7,
  beforeDays: 21,
  minRecent: 3,
  minBefore: 5,
  minDrop: 0.5,
  minT: 2,
} as const;

export const REGRESSION_RULE_TEXT =
  'regressed when last7.count >= 3 AND prev21.count >= 5 AND prev21.avg - last7.avg >= 0.5 AND ' +
  "Welch's t >= 2 (sample variances; t = +infinity when both variances are 0), " +
  'with last7 = [to - 7d, to) and prev21 = [to - 28d, to - 7d)';

/** Applies REGRESSION_RULE to one module's two windows. Pure: unit-tested in regression.spec.ts. */
export function detectRegression(last7: WindowStats, prev21: WindowStats): RegressionVerdict {
  const drop = last7.avg !== null && prev21.avg !== null ? prev21.avg - last7.avg : null;
  const t = welchT(prev21, last7);
  const verdict = (reason: RegressionVerdict['reason']): RegressionVerdict => ({
    regressed: reason === 'regressed',
    drop: drop === null ? null : round(drop, 4),
    t: t === null || !Number.isFinite(t) ? null : round(t, 4),
    reason,
  });
  if (last7.count < REGRESSION_RULE.minRecent) return verdict('too_few_recent');
  if (prev21.count < REGRESSION_RULE.minBefore) return verdict('too_few_before');
  // a tiny tolerance so 4.5 − 4.0 computed in floating point still counts as 0.5
  if (drop === null || drop < REGRESSION_RULE.minDrop - 1e-9) return verdict('drop_too_small');
  if (t === null || t < REGRESSION_RULE.minT) return verdict('t_too_small');
  return verdict('regressed');
}

/** Welch's t of a against b: (a.avg − b.avg) / sqrt(a.var/a.n + b.var/b.n); ±Infinity when that is 0. */
export function welchT(a: WindowStats, b: WindowStats): number | null {
  if (a.count < 2 || b.count < 2 || a.avg === null || b.avg === null) return null;
  if (a.variance === null || b.variance === null) return null;
  const diff = a.avg - b.avg;
  const standardError = Math.sqrt(a.variance / a.count + b.variance / b.count);
  if (standardError === 0) return diff === 0 ? 0 : diff > 0 ? Infinity : -Infinity;
  return diff / standardError;
}

function round(value: number, digits: number): number {
  const f = 10 ** digits;
  return Math.round(value * f) / f;
}
