import type { LatencyHistory } from '../latency-history.js';
import { verdict } from '../verdict.js';
import type { Verdict } from '../verdict.js';

const MIN_SAMPLES = 10;
const FACTOR = 10;

/**
 * Where the relative check speaks: above `floorMs` (FINDING_SLOW_RELATIVE_MS, 250 ms) and up to
 * `ceilingMs` (FINDING_SLOW_MS, 2000 ms), above which the absolute check `call.slow` speaks instead.
 */
export interface SlowLimits {
  floorMs: number;
  ceilingMs: number;
}

export const DEFAULT_SLOW_LIMITS: SlowLimits = { floorMs: 250, ceilingMs: 2000 };

/** A call is not more than 10× slower than the tool's median over at least 10 earlier calls (and the floor). */
export function slowRelativeCheck(
  history: LatencyHistory,
  tool: string,
  latencyMs: number,
  limits: SlowLimits = DEFAULT_SLOW_LIMITS,
): Verdict | null {
  if (latencyMs <= limits.floorMs || latencyMs > limits.ceilingMs) return null;
  if (history.samples(tool) < MIN_SAMPLES) return null;
  const median = history.median(tool);
  if (median === null || latencyMs <= FACTOR * median) return null;
  return verdict(
    'slow.relative',
    'slow',
    `about ${Math.round(median)} ms (median of ${history.samples(tool)} calls)`,
    `${Math.round(latencyMs)} ms`,
  );
}
