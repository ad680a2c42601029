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

/**
 * The slow calls of one tick: a call 10× its tool's median is a machine's pause as often as the
 * tool's (a CI runner sharing its cores, a garbage collection), so `slow.relative` is reported only
 * when a second call of the same tool in the tick is slow too. A tool that is slow is slow again; a
 * pause rarely strikes the same tool twice. (One call over FINDING_SLOW_MS is reported at once, by
 * `call.slow`.) Every call's latency goes into the history.
 */
export class SlowCalls {
  private readonly seen = new Map<string, number>();

  constructor(
    private readonly history: LatencyHistory,
    private readonly limits: SlowLimits = DEFAULT_SLOW_LIMITS,
  ) {}

  check(tool: string, latencyMs: number): Verdict | null {
    const candidate = slowRelativeCheck(this.history, tool, latencyMs, this.limits);
    this.history.record(tool, latencyMs);
    if (!candidate) return null;
    const times = (this.seen.get(tool) ?? 0) + 1;
    this.seen.set(tool, times);
    return times >= 2 ? { ...candidate, got: `${candidate.got} (${times} slow calls this tick)` } : null;
  }
}
