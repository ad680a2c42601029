import type { BrainTool, ToolOutcome } from '../brains/brain.js';
import type { SchemaValidators } from './json-schema.js';
import type { Ledger, LedgerRow } from './ledger.js';
import type { Row } from './values.js';
import type { Verdict } from './verdict.js';

/** What the engine's probe players (lifecycle and input probes) use of it. */
export interface ProbeDeps {
  tools: ReadonlyMap<string, BrainTool>;
  ledger: Ledger;
  /** The brain's last good input of a tool in the persona's own space. */
  knownGood: (tool: string) => Row | undefined;
  brainCalled: (tool: string) => boolean;
  /** A brain sent this input field (with this value, when given) to this tool today. */
  brainSent: (tool: string, field: string, value?: unknown) => boolean;
  seed: string;
  validators: SchemaValidators;
  mayProbe: (tool: BrainTool) => boolean;
  /** A call in the persona's own space within the probe budget, examined like any call; null when spent. */
  probe: (tool: string, input: Row) => Promise<ToolOutcome | null>;
  report: (verdicts: Verdict[], tool: string, seq: number | null) => Promise<void>;
  /**
   * Reads the row's last write back now, if nothing has read it since (before another write hides
   * it); false when the read showed a write lost.
   */
  verify: (row: LedgerRow) => Promise<boolean>;
}

/**
 * Never destructive: not a delete, not annotated destructive, and (MCP's default for a tool that is
 * not read-only is destructive) either read-only, declared not destructive, or described by semantics.
 */
export function mayProbe(tool: BrainTool): boolean {
  if (tool.annotations?.destructiveHint === true || tool.semantics?.effect === 'delete') return false;
  return (
    tool.annotations?.readOnlyHint === true || tool.annotations?.destructiveHint === false || !!tool.semantics
  );
}
