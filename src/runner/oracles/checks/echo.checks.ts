import type { BrainTool } from '../../brains/brain.js';
import type { EchoRule, StateValue, ToolSemantics } from '../../../tool-contract/tool-semantics.js';
import { propertyOf } from '../json-schema.js';
import type { Expectation } from '../ledger.js';
import { meets } from '../ledger.js';
import type { LedgerRow } from '../ledger.js';
import { getPath, isInstant, isNothing, sameByCompare, sameInstant, sameJson, show } from '../values.js';
import type { Row } from '../values.js';
import { verdict } from '../verdict.js';
import type { Verdict } from '../verdict.js';

/**
 * The write echo: the row a create, update or action answers holds every echoed input as sent, and
 * the states the call declares it sets. Each field that held becomes an expectation of the ledger
 * (what later reads must show); a field that did not hold is reported here, once.
 */
export type NewExpectation = Omit<Expectation, 'earlier'>;

export interface WriteEcho {
  verdicts: Verdict[];
  expectations: Map<string, NewExpectation>;
}

/** The row answered for `input` echoes each echoed field as sent (`echo.<input>`). */
export function echoChecks(
  tool: BrainTool,
  input: Row,
  data: unknown,
  row: Row,
  before: Row | undefined,
): WriteEcho {
  const semantics = tool.semantics;
  const out: WriteEcho = { verdicts: [], expectations: new Map() };
  if (!semantics) return out;
  for (const rule of semantics.echo ?? []) {
    // a field left out gets its declared default (a create's priority, an archive's `archived: true`)
    const fallback = propertyOf(tool.inputSchema, rule.input)?.schema.default;
    if (input[rule.input] === undefined && fallback === undefined) continue;
    if (rule.when && !sameJson(getPath(data, rule.when.path), rule.when.equals)) continue;
    const field = rule.field ?? rule.input;
    const sent = input[rule.input] !== undefined ? input[rule.input] : fallback;
    const got = row[field];
    if (sent === null) {
      if (!rule.nullClears) continue;
      if (isNothing(got) || (Array.isArray(got) && got.length === 0))
        out.expectations.set(field, { state: { set: false } });
      else
        out.verdicts.push(
          verdict(`echo.${rule.input}`, 'wrong_result', `${field} null (cleared)`, `${field} ${show(got)}`),
        );
      continue;
    }
    if (sameByCompare(rule.compare, sent, got, rule.itemField)) {
      out.expectations.set(field, { value: sent, compare: rule.compare, itemField: rule.itemField });
      continue;
    }
    const ignored = ignoredValue(tool, rule, before);
    const looksIgnored =
      ignored.known &&
      (sameByCompare(rule.compare, ignored.value, got, rule.itemField) ||
        sameJson(ignored.value ?? null, got ?? null));
    // a text comes back trimmed: that is what is expected
    const want = rule.compare === 'text' && typeof sent === 'string' ? sent.trim() : sent;
    out.verdicts.push(
      verdict(
        `echo.${rule.input}`,
        looksIgnored ? 'contract' : 'wrong_result',
        `${field} ${show(want)}`,
        `${field} ${show(got)}${looksIgnored ? ' (as if not sent)' : ''}`,
      ),
    );
  }
  return out;
}

/**
 * What the row would hold had a create ignored the field: its default. Only a create that answers
 * a field as if it had not been sent is `contract` (an input the tool does not honour); an update
 * that answers anything but what was sent, the value before included, answers wrongly (`wrong_result`).
 */
function ignoredValue(
  tool: BrainTool,
  rule: EchoRule,
  _before: Row | undefined,
): { known: boolean; value: unknown } {
  if (tool.semantics?.effect !== 'create') return { known: false, value: undefined };
  const prop = propertyOf(tool.inputSchema, rule.input);
  return { known: true, value: prop?.schema.default ?? null };
}

/** The states a call declares it sets: `sets`, and each `setsWhen` whose input has its value. */
export function declaredSets(semantics: ToolSemantics, input: Row): Record<string, StateValue> {
  const out: Record<string, StateValue> = { ...(semantics.sets ?? {}) };
  for (const when of semantics.setsWhen ?? []) {
    if (input[when.input] !== undefined && sameJson(input[when.input], when.equals))
      Object.assign(out, when.sets);
  }
  return out;
}

/** The row an action (or update) answers is in the state it declares it sets (`state.<field>`). */
export function stateChecks(sets: Record<string, StateValue> | undefined, row: Row): WriteEcho {
  const out: WriteEcho = { verdicts: [], expectations: new Map() };
  for (const [field, state] of Object.entries(sets ?? {})) {
    if (meets({ state, earlier: [] }, row[field])) {
      out.expectations.set(field, { state });
      continue;
    }
    const want = 'equals' in state ? show(state.equals) : state.set ? 'a value' : 'null';
    out.verdicts.push(
      verdict(`state.${field}`, 'wrong_result', `${field} ${want}`, `${field} ${show(row[field])}`),
    );
  }
  return out;
}

/**
 * An update or action changes what it was asked to, and nothing else (`frame.<field>`): every other
 * field of the row answers as the persona last saw it. Skipped are the fields the call sets (its
 * echoes, with their defaults, and its declared states), derived fields, and date-times that moved
 * forward (the row's own stamps, such as `updatedAt`). `before` must be a snapshot with no write of
 * the persona since, in a space no one else writes. A field that answers the value it had before the
 * persona's last write of it shows that write was lost: the answer is a read of the row, and the
 * finding is the lost write's (`read-back.<field>`, `lost_write`, on the tool that wrote it).
 */
export function frameChecks(
  tool: BrainTool,
  input: Row,
  row: Row,
  before: Row,
  entry?: Pick<LedgerRow, 'expect' | 'writeTool'>,
): Verdict[] {
  const semantics = tool.semantics;
  if (!semantics || (semantics.effect !== 'update' && semantics.effect !== 'action')) return [];
  const touched = new Set<string>([
    ...Object.keys(declaredSets(semantics, input)),
    ...(semantics.derived ?? []).map((d) => d.field),
    ...(semantics.idField ? [semantics.idField] : ['id']),
  ]);
  for (const rule of semantics.echo ?? []) {
    const fallback = propertyOf(tool.inputSchema, rule.input)?.schema.default;
    if (input[rule.input] !== undefined || fallback !== undefined) touched.add(rule.field ?? rule.input);
  }
  const out: Verdict[] = [];
  for (const [field, was] of Object.entries(before)) {
    if (touched.has(field) || !(field in row)) continue;
    const now = row[field];
    if (sameJson(was, now) || (isNothing(was) && isNothing(now))) continue;
    if (isInstant(was) && isInstant(now) && Date.parse(now) >= Date.parse(was)) continue;
    const e = entry?.expect.get(field);
    const reverted =
      e !== undefined &&
      !meets(e, now) &&
      e.earlier.some((old) => (sameJson(old, now) || sameInstant(old, now)) && !meets(e, old));
    if (reverted && entry?.writeTool) {
      out.push({
        ...verdict(
          `read-back.${field}`,
          'lost_write',
          `${field} ${show(was)} (as the persona's last write of it answered)`,
          `${field} ${show(now)} (the value before the write)`,
        ),
        tool: entry.writeTool,
      });
      continue;
    }
    out.push(
      verdict(
        `frame.${field}`,
        'wrong_result',
        `${field} ${show(was)} (the call did not ask to change it)`,
        `${field} ${show(now)}`,
      ),
    );
  }
  return out;
}
