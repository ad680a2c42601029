import type { BrainTool } from '../brains/brain.js';
import type { ProbeDeps } from './probe-deps.js';
import type { ToolSemantics } from '../../tool-contract/tool-semantics.js';
import { declaredSets } from './checks/echo.checks.js';
import { numberAt, propertyOf, typeOf } from './json-schema.js';
import type { JsonSchema, SchemaValidators } from './json-schema.js';
import type { LedgerRow } from './ledger.js';
import { getPath, hashSeed, isInstant, isRow, sameInstant, sameJson, show } from './values.js';
import type { Row } from './values.js';
import { verdict } from './verdict.js';
import type { Verdict } from './verdict.js';

/** One declared state change of an update (`setsWhen`). */
type StateChange = NonNullable<ToolSemantics['setsWhen']>[number];

/**
 * The rest of a row's life: a persona that wrote a row today but did not archive it, complete it or
 * edit it leaves those tools unchecked. For each update or action tool of an entity the persona
 * wrote today that no brain call used (or used without the field that turns the row's state), the engine makes one call on one of its own rows, with an
 * input built from the declaration: the id alone when the schema asks for nothing more (archive,
 * complete), else the id and one echoed field set to another valid value (the next enum value, the
 * other boolean, the text with a word added), a field that turns the row's state (`setsWhen`) first.
 * Its answer goes through every write check, and the row is read back before the next probe writes
 * it again (a later answer would hide a lost write). A tool declared idempotent is then called again
 * with the same input: the second answer must show what the first did (`idempotent.<field>`).
 * Never a delete, never a tool annotated destructive; only in the persona's own space.
 */

/**
 * The lifecycle probes of one tick, each idempotent one made twice and its answers compared. Each
 * probe is chosen when its turn comes, from the ledger as the probes before it left it (a task the
 * complete probe closed is no longer one the update probe can close).
 */
export async function playLifecycle(deps: ProbeDeps): Promise<void> {
  const byName = [...deps.tools.values()].sort((a, b) => a.name.localeCompare(b.name));
  for (const tool of byName) {
    if (!isLifecycleTool(tool) || !deps.mayProbe(tool)) continue;
    // played: a brain called it, and sent each state it declares it turns a row to (status: done)
    const turn = tool.semantics!.setsWhen?.find((w) => !deps.brainSent(tool.name, w.input, w.equals));
    if (deps.brainCalled(tool.name) && !turn) continue;
    const rows = deps.ledger.ownRows(undefined, '');
    const probe = lifecycleProbe(tool, rows, deps.seed, deps.validators, turn);
    if (!probe) continue;
    await playTwice(deps, probe);
    // read back before the next probe writes the same row: its answer would hide a lost write
    await deps.verify(probe.row);
  }
  // an idempotent write the brain made: its own input again, on its own row
  for (const tool of byName) {
    const semantics = tool.semantics;
    if (!isLifecycleTool(tool) || semantics?.idempotent !== true || !deps.mayProbe(tool)) continue;
    const good = deps.knownGood(tool.name);
    const row = good ? deps.ledger.get(semantics.entity, '', String(good[semantics.idInput!])) : undefined;
    if (good && row?.own && !row.deleted && !row.unreadable) {
      await playTwice(deps, { tool, input: good, row });
      await deps.verify(row);
    }
  }
}

/**
 * The call, and for an idempotent tool the same call again, the two answers compared. The row is
 * read back between the two: when the first write was lost, the second would only write it again
 * and answer what a first write answers (that finding is the lost write's).
 */
async function playTwice(deps: ProbeDeps, p: LifecycleProbe): Promise<void> {
  const first = await deps.probe(p.tool.name, p.input);
  if (!first?.ok || p.tool.semantics?.idempotent !== true) return;
  const row = deps.ledger.get(p.row.entity, p.row.space, p.row.id);
  if (row && !(await deps.verify(row))) return;
  const second = await deps.probe(p.tool.name, p.input);
  if (!second || second.errorKind === 'timeout') return;
  const verdicts = second.ok
    ? idempotenceChecks(p.tool.semantics, p.input, first.data, second.data)
    : second.errorKind === 'tool'
      ? [
          verdict(
            'idempotent.refused',
            'wrong_result',
            'the same answer again (the call is idempotent)',
            `refused: ${second.text.slice(0, 150)}`,
          ),
        ]
      : [];
  await deps.report(verdicts, p.tool.name, second.seq);
}

function isLifecycleTool(tool: BrainTool): boolean {
  const s = tool.semantics;
  return !!s?.idInput && (s.effect === 'update' || s.effect === 'action');
}

export interface LifecycleProbe {
  tool: BrainTool;
  input: Row;
  row: LedgerRow;
}

const ADDED_WORD = 'again';

/**
 * One call of an update or action tool on one of the persona's own rows of its entity: a row the
 * tool's first state change would turn (an open task for status → done) when there is one.
 */
export function lifecycleProbe(
  tool: BrainTool,
  rows: LedgerRow[],
  seed: string,
  validators: SchemaValidators,
  turn: StateChange | undefined = tool.semantics!.setsWhen?.[0],
): LifecycleProbe | null {
  const semantics = tool.semantics!;
  const all = rows.filter((r) => r.entity === semantics.entity && r.space === '' && !r.unreadable);
  const turnable = turn ? all.filter((r) => !sameJson(r.row[turn.input], turn.equals)) : [];
  const candidates = turnable.length > 0 ? turnable : all;
  if (candidates.length === 0) return null;
  const row = candidates[Math.abs(hashSeed(`${seed}:lifecycle:${tool.name}`)) % candidates.length];
  const input = lifecycleInput(tool, row, seed, validators, turn);
  return input ? { tool, input, row } : null;
}

/** The id alone if the schema takes it; else the id and one echoed field changed. */
export function lifecycleInput(
  tool: BrainTool,
  row: LedgerRow,
  seed: string,
  validators: SchemaValidators,
  turn: StateChange | undefined = tool.semantics!.setsWhen?.[0],
): Row | null {
  const semantics = tool.semantics!;
  const bare = { [semantics.idInput!]: row.id };
  const rules = (semantics.echo ?? []).filter((r) => r.input !== semantics.idInput && !r.when);
  // an update with nothing to change is allowed by some schemas, but says nothing: change a field
  if (validators.check(tool.inputSchema, bare)?.ok && (semantics.effect === 'action' || rules.length === 0))
    return bare;
  // a field that turns the row's state (setsWhen: status → completedAt) first, then one the seed picks
  const start = Math.abs(hashSeed(`${seed}:lifecycle-field:${tool.name}`));
  const turns = new Set((semantics.setsWhen ?? []).map((w) => w.input));
  const ordered = [
    ...rules.filter((r) => turns.has(r.input)),
    ...rules.map((_, i) => rules[(start + i) % rules.length]).filter((r) => !turns.has(r.input)),
  ];
  for (const rule of ordered) {
    const schema = propertyOf(tool.inputSchema, rule.input)?.schema;
    if (!schema) continue;
    const current = row.row[rule.field ?? rule.input];
    // a state-turning field goes to the state asked for (else the first it is not in), else any other value
    const states = [...(turn ? [turn] : []), ...(semantics.setsWhen ?? [])];
    const state = states.find((w) => w.input === rule.input && !sameJson(w.equals, current));
    const value = state ? state.equals : anotherValue(schema, current);
    if (value === undefined) continue;
    const input = { ...bare, [rule.input]: value };
    if (validators.check(tool.inputSchema, input)?.ok) return input;
  }
  return null;
}

/** A valid value of `schema` other than `current`, when one can be made without guessing a format. */
export function anotherValue(schema: JsonSchema, current: unknown): unknown {
  if (Array.isArray(schema.enum)) return schema.enum.find((v) => v !== null && !sameJson(v, current));
  const type = typeOf(schema);
  if (type === 'boolean') return current !== true;
  if (type === 'integer' || type === 'number') {
    const min = numberAt(schema, 'minimum') ?? Number.NEGATIVE_INFINITY;
    const max = numberAt(schema, 'maximum') ?? Number.POSITIVE_INFINITY;
    const base = typeof current === 'number' ? Math.trunc(current) : Math.max(min, 0);
    return [base + 1, base - 1, min, max].find(
      (v) => Number.isFinite(v) && v >= min && v <= max && v !== current,
    );
  }
  if (type === 'string') {
    if (schema.format !== undefined || schema.pattern !== undefined) return undefined;
    const max = numberAt(schema, 'maxLength') ?? Number.POSITIVE_INFINITY;
    const text =
      typeof current === 'string' && current.trim() !== '' ? `${current} ${ADDED_WORD}` : 'Checked again';
    return text.length <= max ? text : text.slice(0, max).trimEnd() || undefined;
  }
  if (type === 'array') {
    const items = isRow(schema.items) ? schema.items : undefined;
    const item = items ? someValue(items) : undefined;
    if (item === undefined) return undefined;
    return Array.isArray(current) && current.length > 0 ? [] : [item];
  }
  return undefined;
}

/** A valid value of a small schema: a plain string, a boolean, a number, or an object of those. */
function someValue(schema: JsonSchema): unknown {
  const type = typeOf(schema);
  if (type === 'object' && isRow(schema.properties)) {
    const required = Array.isArray(schema.required) ? (schema.required as string[]) : [];
    const out: Row = {};
    for (const name of required) {
      const prop = schema.properties[name];
      const value = isRow(prop) ? someValue(prop) : undefined;
      if (value === undefined) return undefined;
      out[name] = value;
    }
    return out;
  }
  return anotherValue(schema, undefined);
}

/**
 * The second answer of an idempotent call shows what the first did, on every field the call sets
 * (its echoes and declared states) and the row's id: a repeated "complete" does not complete again.
 */
export function idempotenceChecks(
  semantics: ToolSemantics,
  input: Row,
  first: unknown,
  second: unknown,
): Verdict[] {
  const a = semantics.result ? getPath(first, semantics.result) : first;
  const b = semantics.result ? getPath(second, semantics.result) : second;
  if (!isRow(a) || !isRow(b)) return [];
  const fields = new Set<string>([
    semantics.idField ?? 'id',
    ...Object.keys(declaredSets(semantics, input)),
    ...(semantics.echo ?? []).map((r) => r.field ?? r.input),
  ]);
  const out: Verdict[] = [];
  for (const field of fields) {
    if (!(field in a) || !(field in b)) continue;
    const same = sameJson(a[field], b[field]) || (isInstant(a[field]) && sameInstant(a[field], b[field]));
    if (same) continue;
    out.push(
      verdict(
        `idempotent.${field}`,
        'wrong_result',
        `${field} ${show(a[field])} again (the same call, repeated, changes nothing)`,
        `${field} ${show(b[field])}`,
      ),
    );
  }
  return out;
}
