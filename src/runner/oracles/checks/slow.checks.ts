import type { LatencyHistory } from '../latency-history.js';
import { verdict } from '../verdict.js';
import type { Verdict } from '../verdict.js';

/** Above this the absolute slowness check (FINDING_SLOW_MS) speaks; the relative one stays quiet. */
export const RELATIVE_SLOW_CEILING_MS = 2000;
const MIN_SAMPLES = 10;
const FACTOR = 10;
const FLOOR_MS = 250;

/** A call is not more than 10× slower than the tool's median over at least 10 earlier calls (and 250 ms). */
export function slowRelativeCheck(history: LatencyHistory, tool: string, latencyMs: number): Verdict | null {
  if (latencyMs <= FLOOR_MS || latencyMs > RELATIVE_SLOW_CEILING_MS) return null;
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
