import type { ToolOutcome } from '../../brains/brain.js';
import type { ProbeDeps } from '../probe-deps.js';
import { pickCases, probeCases } from '../probe-inputs.js';
import type { ProbeCase } from '../probe-inputs.js';
import { hashSeed, namesField } from '../values.js';
import { verdict } from '../verdict.js';
import type { Verdict } from '../verdict.js';
import { isPolicyRefusal, isServerProtocolError, namesFieldCheck } from './contract.checks.js';

/**
 * The verdict on one schema-generated probe (see probe-inputs.ts). Refusal cases: input outside the
 * schema is refused (`refusal.accepted-invalid`, `input.null-optional`), as a tool error rather than
 * a protocol error (`contract.error-as-protocol`), naming the field (`refusal.names-field`).
 * Acceptance cases: input at a bound is accepted (`boundary.refused`), an optional field may be left
 * out (`input.omit-optional`); a refusal that names another field is a cross-field rule: no verdict.
 */
export function judgeProbe(probe: ProbeCase, outcome: ToolOutcome): Verdict | null {
  if (outcome.errorKind === 'timeout' || outcome.errorKind === 'unknown_tool') return null;
  if (outcome.errorKind === 'protocol') {
    if (!isServerProtocolError(outcome) || /structured content/i.test(outcome.text)) return null;
    return verdict(
      'contract.error-as-protocol',
      'contract',
      `a tool result for ${probe.what}`,
      `a JSON-RPC error: ${outcome.text}`,
    );
  }
  const refusal = probe.kind === 'invalid' || probe.kind === 'null-optional';
  if (refusal) {
    if (outcome.ok) {
      const check = probe.kind === 'null-optional' ? 'input.null-optional' : 'refusal.accepted-invalid';
      return verdict(check, 'contract', `a refusal of ${probe.what}`, 'accepted');
    }
    return namesFieldCheck(outcome, [probe.field]);
  }
  if (outcome.ok || outcome.errorKind !== 'tool' || isPolicyRefusal(outcome)) return null;
  if (!namesField(outcome.text, probe.field)) return null;
  const check = probe.kind === 'omit-optional' ? 'input.omit-optional' : 'boundary.refused';
  return verdict(check, 'contract', `${probe.what} accepted`, `refused: ${outcome.text.slice(0, 150)}`);
}

/**
 * Each tool the persona used in its own space (in an order the seed shuffles: a short budget reaches
 * other tools another day), probed with up to `perTool` cases generated from its schema around the
 * persona's own good input. Never in a shared space: a boundary row would land on the others' lists.
 */
export async function playInputProbes(deps: ProbeDeps, perTool: number): Promise<void> {
  const rank = (name: string) => hashSeed(`${deps.seed}:${name}\u0000`);
  const names = [...deps.tools.keys()].filter((n) => deps.knownGood(n)).sort((a, b) => rank(a) - rank(b));
  for (const name of names) {
    const tool = deps.tools.get(name)!;
    const good = deps.knownGood(name)!;
    if (!deps.mayProbe(tool)) continue;
    const semantics = tool.semantics;
    if (semantics?.idInput && deps.ledger.get(semantics.entity, '', String(good[semantics.idInput]))?.deleted)
      continue;
    const cases = pickCases(probeCases(tool, good, deps.validators, deps.seed), deps.seed, name, perTool);
    for (const probe of cases) {
      const outcome = await deps.probe(name, probe.input);
      if (!outcome) return;
      const v = judgeProbe(probe, outcome);
      if (v) await deps.report([v], name, outcome.seq);
    }
  }
}
