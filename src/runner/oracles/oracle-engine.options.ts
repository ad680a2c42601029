import type { BrainTool, FindingReport, ToolCallOptions, ToolOutcome } from '../brains/brain.js';
import type { SlowLimits } from './checks/slow.checks.js';
import type { LatencyHistory } from './latency-history.js';

/** What an OracleEngine needs of its tick. */
export interface OracleEngineOptions {
  tools: readonly BrainTool[];
  /** Makes a probe call (audited like any call). The engine always passes { probe: true, spaceId }. */
  call(name: string, input: Record<string, unknown>, options: ToolCallOptions): Promise<ToolOutcome>;
  /** Records a finding (source 'oracle'). */
  report(finding: FindingReport): Promise<void>;
  /** Deterministic seed for generated inputs (fast-check). */
  seed: string;
  /** The persona's now (for days-back filters) and its IANA timezone. */
  now: Date;
  timezone: string;
  /** Latency history shared across ticks of this process (per tool name). */
  latency: LatencyHistory;
  /** Where `slow.relative` speaks (default 250 ms to 2000 ms). */
  slow?: SlowLimits;
  /** Max probe calls the engine may make in one tick (default 40). */
  maxProbes?: number;
  signal: AbortSignal;
}
