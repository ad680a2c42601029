import type { BrainTool, ToolOutcome } from '../brains/brain.js';
import type { ProbeDeps } from './probe-deps.js';
import { canonical, hashSeed } from './values.js';
import type { Row } from './values.js';
import { verdict } from './verdict.js';

/** A tool slower than this is not called again just to compare states (a long operation by design). */
const MAX_PROBE_LATENCY_MS = 2000;

/**
 * What MCP's own annotations promise, checked on tools that declare no semantics (a third-party
 * server's; the built-in tools have the full engine). The state the persona can see is an answer of
 * a *stable reader*: a read-only tool that answered the same twice in a row, with input the brain
 * used successfully (or none, when the schema asks for none).
 * - `read-only.changed`: a tool annotated `readOnlyHint` changed that state;
 * - `idempotent.effect`: a tool annotated `idempotentHint` (and not destructive), called a second
 *   time with the same input, changed it again.
 * A verdict needs the state to hold still on its own: read twice after the call, the two answers
 * agree, else nothing is said (a clock, a counter, another client). Only inputs the brain itself
 * sent successfully are repeated, only in the persona's own space, within the probe budget.
 */
export async function playHintProbes(
  deps: ProbeDeps,
  latencyOf: (tool: string) => number | undefined,
): Promise<void> {
  const undeclared = [...deps.tools.values()]
    .filter((t) => !t.semantics && deps.mayProbe(t) && (latencyOf(t.name) ?? 0) <= MAX_PROBE_LATENCY_MS)
    .sort((a, b) => a.name.localeCompare(b.name));
  const inputOf = (tool: BrainTool): Row | undefined =>
    deps.knownGood(tool.name) ?? (requiresNothing(tool) ? {} : undefined);
  const readers = undeclared.filter((t) => t.annotations?.readOnlyHint === true && inputOf(t));
  if (readers.length === 0) return;
  const reader = await stableReader(deps, readers, inputOf);
  if (!reader) return;
  const read = async () => stateOf(await deps.probe(reader.tool.name, reader.input));

  for (const tool of readers) {
    if (tool === reader.tool) continue;
    const before = await read();
    if (before === undefined) return;
    const call = await deps.probe(tool.name, inputOf(tool)!);
    if (!call?.ok) continue;
    const change = await settledChange(read, before);
    if (change)
      await deps.report(
        [
          verdict(
            'read-only.changed',
            'wrong_result',
            `${reader.tool.name} to answer as before (${tool.name} is annotated readOnlyHint)`,
            `after ${tool.name}: ${change}`,
          ),
        ],
        tool.name,
        call.seq,
      );
  }

  const writers = undeclared.filter(
    (t) =>
      t.annotations?.readOnlyHint !== true &&
      t.annotations?.idempotentHint === true &&
      t.annotations?.destructiveHint === false &&
      deps.knownGood(t.name),
  );
  for (const tool of writers) {
    const input = deps.knownGood(tool.name)!;
    const first = await deps.probe(tool.name, input);
    if (!first?.ok) continue;
    const after = await read();
    if (after === undefined) return;
    const second = await deps.probe(tool.name, input);
    if (!second?.ok) continue;
    const change = await settledChange(read, after);
    if (change)
      await deps.report(
        [
          verdict(
            'idempotent.effect',
            'wrong_result',
            `${reader.tool.name} to answer as after the first call (${tool.name} is annotated idempotentHint)`,
            `after the same call again: ${change}`,
          ),
        ],
        tool.name,
        second.seq,
      );
  }
}

/** A read-only tool whose answer is the same twice in a row: the persona's view of the state. */
async function stableReader(
  deps: ProbeDeps,
  readers: BrainTool[],
  inputOf: (tool: BrainTool) => Row | undefined,
): Promise<{ tool: BrainTool; input: Row } | undefined> {
  // the seed picks where to start, so that over many days each reader gets its turn
  const start = Math.abs(hashSeed(`${deps.seed}:stable-reader`)) % readers.length;
  for (let i = 0; i < Math.min(readers.length, 3); i += 1) {
    const tool = readers[(start + i) % readers.length];
    const input = inputOf(tool)!;
    const a = stateOf(await deps.probe(tool.name, input));
    const b = stateOf(await deps.probe(tool.name, input));
    if (a !== undefined && a === b) return { tool, input };
  }
  return undefined;
}

/**
 * How the state differs from `before`, when it does and then holds still (read twice, the same);
 * undefined when it did not change, or keeps changing on its own.
 */
async function settledChange(
  read: () => Promise<string | undefined>,
  before: string,
): Promise<string | undefined> {
  const after = await read();
  if (after === undefined || after === before) return undefined;
  const again = await read();
  if (again !== after) return undefined;
  return `${after.slice(0, 150)} (before: ${before.slice(0, 150)})`;
}

function stateOf(outcome: ToolOutcome | null): string | undefined {
  if (!outcome?.ok) return undefined;
  return outcome.data !== undefined ? canonical(outcome.data) : outcome.text;
}

function requiresNothing(tool: BrainTool): boolean {
  const required = (tool.inputSchema as { required?: unknown }).required;
  return !Array.isArray(required) || required.length === 0;
}
