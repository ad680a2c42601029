import type { BrainTool, ToolOutcome } from '../../brains/brain.js';
import { itemPropertyNames } from '../json-schema.js';
import type { SchemaValidators } from '../json-schema.js';
import { changedSince, describeExpectation, meets } from '../ledger.js';
import type { LedgerRow } from '../ledger.js';
import { planRead } from '../reader-input.js';
import type { ReaderPlan } from '../reader-input.js';
import { getPath, isRow, namesField, rowsAt, sameInstant, sameJson, show } from '../values.js';
import type { Row } from '../values.js';
import { verdict } from '../verdict.js';
import type { Verdict } from '../verdict.js';
import { isPolicyRefusal } from './contract.checks.js';
import { allAdmit, limitOf, unreadable } from './list.checks.js';
import { matches } from './search.checks.js';
import type { Clock } from './list.checks.js';

/**
 * Reading the persona's own writes back through every declared reader: after a write the row is
 * there with what it set (`read-your-writes.<reader>`, `read-back.<field>`), after a delete it is
 * gone (`use-after-delete.<reader>`, `use-after-delete.by-id`). A reader whose answer is full, or
 * that cannot be asked for the row, gives no verdict; a missing row gets a second look before
 * anything is said.
 */

export type Look =
  { status: 'present'; row: Row; seq: number } | { status: 'absent' | 'inconclusive'; seq: number };

/** A look by id; when it shows the row, what it shows judged against the persona's ledger. */
type ExistenceLook =
  Exclude<Look, { status: 'present' }> | { status: 'present'; row: Row; seq: number; verdicts: Verdict[] };

export interface ReadBackDeps {
  tools: ReadonlyMap<string, BrainTool>;
  validators: SchemaValidators;
  clock: Clock;
  /** A probe call in the row's space; null when the budget is spent or the tick is over. */
  probe(tool: string, input: Row, space: string): Promise<ToolOutcome | null>;
  /** The persona's last successful input of a tool in a space (for a call by id). */
  knownGood(tool: string, space: string): Row | undefined;
}

/** Is the row in this reader's answer? */
export function lookIn(reader: BrainTool, input: Row, outcome: ToolOutcome, id: string): Look {
  const seq = outcome.seq;
  const semantics = reader.semantics;
  if (!semantics) return { status: 'inconclusive', seq };
  if (semantics.effect === 'read') {
    if (!outcome.ok) {
      const notFound =
        outcome.errorKind === 'tool' &&
        (outcome.errorCode === 'NOT_FOUND' || /not found/i.test(outcome.text));
      return { status: notFound ? 'absent' : 'inconclusive', seq };
    }
    const row = semantics.result ? getPath(outcome.data, semantics.result) : outcome.data;
    const idField = semantics.idField ?? 'id';
    return isRow(row) && String(row[idField]) === id
      ? { status: 'present', row, seq }
      : { status: 'inconclusive', seq };
  }
  if (!outcome.ok) return { status: 'inconclusive', seq };
  const items = rowsAt(outcome.data, semantics.list?.items ?? 'items');
  if (!items) return { status: 'inconclusive', seq };
  const idField = semantics.idField ?? 'id';
  const found = items.find((r) => r[idField] !== undefined && String(r[idField]) === id);
  if (found) return { status: 'present', row: found, seq };
  const limit = limitOf(reader, input);
  if (limit !== undefined && items.length >= limit) return { status: 'inconclusive', seq };
  if (items.length > 0 && items.every((r) => r[idField] === undefined))
    return { status: 'inconclusive', seq };
  return { status: 'absent', seq };
}

/** A reader shows an own row with the values this persona set (`read-back.<field>`). */
export function readBackValuesCheck(row: LedgerRow, shown: Row, reader: BrainTool): Verdict[] {
  if (row.unreadable || unreadable(shown, reader.semantics?.list)) return [];
  if (row.space !== '' && changedSince(row.row, shown)) return [];
  const out: Verdict[] = [];
  for (const [field, e] of row.expect) {
    if (!(field in shown) || meets(e, shown[field])) continue;
    const stale = e.earlier.some(
      (was) => (sameJson(was, shown[field]) || sameInstant(was, shown[field])) && !meets(e, was),
    );
    const v = verdict(
      `read-back.${field}`,
      stale ? 'lost_write' : 'wrong_result',
      `${field} ${describeExpectation(e)}`,
      `${field} ${show(shown[field])}${stale ? ' (the value before the write)' : ''}`,
    );
    out.push(stale && row.writeTool ? { ...v, tool: row.writeTool } : v);
  }
  return out;
}

/** A list reader whose declared rows have no id field cannot tell whether a row is there. */
function showsIds(reader: BrainTool): boolean {
  const semantics = reader.semantics!;
  if (semantics.effect === 'read') return true;
  const names = itemPropertyNames(reader.outputSchema, semantics.list?.items ?? 'items');
  return names === null || names.includes(semantics.idField ?? 'id');
}

export class ReadBack {
  constructor(private readonly deps: ReadBackDeps) {}

  /** The readers that can be asked for this row. */
  plans(readers: readonly string[], row: LedgerRow, strict: boolean): ReaderPlan[] {
    const plans: ReaderPlan[] = [];
    for (const name of readers) {
      const reader = this.deps.tools.get(name);
      if (!reader?.semantics || reader.semantics.entity !== row.entity) continue;
      if (!showsIds(reader)) continue;
      const plan = planRead(reader, row.id, row.row, this.deps.validators, this.deps.clock, { strict });
      if (plan) plans.push(plan);
    }
    return plans;
  }

  private async look(plan: ReaderPlan, row: LedgerRow): Promise<Look | null> {
    const outcome = await this.deps.probe(plan.reader.name, plan.input, row.space);
    if (!outcome || outcome.errorKind === 'timeout') return null;
    return lookIn(plan.reader, plan.input, outcome, row.id);
  }

  /**
   * After a write: the row is in every reader. A reader that misses it is wrong when a second look
   * (or another reader) finds it, and the write is lost when no reader shows it twice.
   */
  async readYourWrites(
    readers: readonly string[],
    row: LedgerRow,
    firstMiss?: { reader: string; seq: number; input: Row },
  ): Promise<{ verdicts: Verdict[]; present: boolean }> {
    const plans = this.plans(readers, row, true);
    const first = await this.pass(plans, row);
    if (first.some((l) => l?.status === 'present')) row.seenSinceWrite = true;
    const misses: Array<{ plan: ReaderPlan; seq: number }> = plans
      .map((plan, i) => ({ plan, look: first[i] }))
      .filter((m) => m.look?.status === 'absent')
      .map((m) => ({ plan: m.plan, seq: m.look!.seq }));
    const firstReader = firstMiss && this.deps.tools.get(firstMiss.reader);
    if (firstMiss && firstReader)
      misses.unshift({ plan: { reader: firstReader, input: firstMiss.input }, seq: firstMiss.seq });
    if (misses.length === 0) return { verdicts: [], present: row.seenSinceWrite };
    const second = await this.pass(plans, row);
    const shown = [...first, ...second].flatMap((l) => (l?.status === 'present' ? [l.row] : []));
    const byId = shown.length === 0 ? await this.existence(row) : null;
    if (byId?.status === 'present') shown.push(byId.row);
    if (shown.length > 0) {
      // the look by id shows the row: what it shows must be what this persona set (an archive
      // answered but not stored shows the row as before)
      const values = byId?.status === 'present' ? byId.verdicts : [];
      row.seenSinceWrite = true;
      // a reader whose filters or query would not admit the row as the others show it is explained
      // by that row (a lost or wrong update, reported by read-back), not by the reader
      const verdicts = misses
        .filter((m) => shown.some((r) => this.admitsAsShown(m.plan, r)))
        .map((m) => ({
          ...verdict(
            `read-your-writes.${m.plan.reader.name}`,
            'wrong_result',
            `row ${show(row.id)} listed`,
            'missing (another look shows it)',
          ),
          tool: m.plan.reader.name,
          seq: m.seq,
        }));
      return { verdicts: [...values, ...verdicts], present: true };
    }
    const absentTwice =
      byId?.status === 'absent' ||
      second.some((l) => l?.status === 'absent') ||
      (!!firstMiss && plans.length === 0);
    // in a shared space another member may have deleted it: a row gone everywhere proves nothing there
    if (!absentTwice || !row.writeTool || row.space !== '') return { verdicts: [], present: false };
    const lost: Verdict[] = [
      {
        ...verdict(
          'read-your-writes.lost',
          'lost_write',
          `row ${show(row.id)} stored (the write succeeded)`,
          'absent from every reader, twice',
        ),
        tool: row.writeTool,
        seq: misses[0].seq,
      },
    ];
    return { verdicts: lost, present: false };
  }

  /**
   * A look at the row by its id, changing nothing: a read by id, else (in the personal space) an
   * idempotent update that sets an echoed field to the value the row already shows.
   */
  private async existence(row: LedgerRow): Promise<ExistenceLook | null> {
    // the look may itself be a write that moves the ledger on: judge what it shows by the ledger before
    const before: LedgerRow = { ...row, row: { ...row.row }, expect: new Map(row.expect) };
    for (const tool of this.deps.tools.values()) {
      const s = tool.semantics;
      if (!s || s.entity !== row.entity || !s.idInput || tool.annotations?.destructiveHint === true) continue;
      let input: Row | undefined;
      if (s.effect === 'read') input = { [s.idInput]: row.id };
      else if (s.effect === 'update' && s.idempotent && row.space === '') {
        const lastWrite = row.writeTool ? this.deps.tools.get(row.writeTool)?.semantics?.effect : undefined;
        const changedByLastWrite = lastWrite !== undefined && lastWrite !== 'create';
        // after an update or action, re-send a field it did not set: re-sending the one in question would write it
        // again and hide a write that was answered but not stored
        const rule = (s.echo ?? []).find((r) => {
          const field = r.field ?? r.input;
          const v = row.row[field];
          const setByLastWrite =
            changedByLastWrite && row.expect.has(field) && row.expect.get(field)?.compare !== 'seen';
          const plain = typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean';
          return !r.when && plain && !setByLastWrite;
        });
        if (rule) input = { [s.idInput]: row.id, [rule.input]: row.row[rule.field ?? rule.input] };
      }
      if (!input || !this.deps.validators.check(tool.inputSchema, input)?.ok) continue;
      const outcome = await this.deps.probe(tool.name, input, row.space);
      if (!outcome || outcome.errorKind === 'timeout') return null;
      const notFound =
        !outcome.ok &&
        outcome.errorKind === 'tool' &&
        (outcome.errorCode === 'NOT_FOUND' || /not found/i.test(outcome.text));
      if (notFound) return { status: 'absent', seq: outcome.seq };
      const shown = outcome.ok && s.result ? getPath(outcome.data, s.result) : undefined;
      if (isRow(shown) && String(shown[s.idField ?? 'id']) === row.id) {
        const verdicts = readBackValuesCheck(before, shown, tool).map((v) => ({ ...v, seq: outcome.seq }));
        return { status: 'present', row: shown, seq: outcome.seq, verdicts };
      }
      return { status: 'inconclusive', seq: outcome.seq };
    }
    return null;
  }

  private admitsAsShown(plan: ReaderPlan, shown: Row): boolean {
    const search = plan.reader.semantics?.search;
    const query = search ? plan.input[search.query] : undefined;
    if (search && (typeof query !== 'string' || !matches(search, shown, query))) return false;
    return allAdmit(plan.reader, plan.input, shown, this.deps.clock) === 'yes';
  }

  private async pass(plans: ReaderPlan[], row: LedgerRow): Promise<Array<Look | null>> {
    const looks: Array<Look | null> = [];
    for (const plan of plans) looks.push(await this.look(plan, row));
    return looks;
  }

  /** After a delete: no reader shows the row, and a call by its id fails. */
  async afterDelete(readers: readonly string[], row: LedgerRow): Promise<Verdict[]> {
    const out: Verdict[] = [];
    for (const plan of this.plans(readers, row, false)) {
      const look = await this.look(plan, row);
      if (look?.status === 'present') {
        out.push({
          ...verdict(
            `use-after-delete.${plan.reader.name}`,
            'wrong_result',
            `row ${show(row.id)} gone (deleted)`,
            'still listed',
          ),
          tool: plan.reader.name,
          seq: look.seq,
        });
      }
    }
    const byId = this.byIdTool(row.entity);
    if (byId) {
      const idInput = byId.semantics!.idInput!;
      const base = byId.semantics!.effect === 'read' ? {} : (this.deps.knownGood(byId.name, row.space) ?? {});
      const outcome = await this.deps.probe(byId.name, { ...base, [idInput]: row.id }, row.space);
      if (outcome?.ok) {
        out.push({
          ...verdict(
            'use-after-delete.by-id',
            'wrong_result',
            `an error: row ${show(row.id)} was deleted`,
            'the call succeeded',
          ),
          tool: byId.name,
          seq: outcome.seq,
        });
      } else if (outcome && refusalHidesTheRow(outcome, row.id, idInput)) {
        out.push({
          ...verdict(
            'use-after-delete.refusal',
            'confusing',
            `an error that says row ${show(row.id)} is not there`,
            outcome.text.slice(0, 160) || '(an empty message)',
          ),
          tool: byId.name,
          seq: outcome.seq,
        });
      }
    }
    row.deleted!.verified = true;
    return out;
  }

  /** A tool that names a row by id and needs nothing else: a read, else an idempotent action or update. */
  private byIdTool(entity: string): BrainTool | undefined {
    const candidates = [...this.deps.tools.values()].filter((t) => {
      const s = t.semantics;
      if (!s || s.entity !== entity || !s.idInput || t.annotations?.destructiveHint === true) return false;
      if (!['read', 'action', 'update'].includes(s.effect) || (s.effect !== 'read' && !s.idempotent))
        return false;
      const required = (t.inputSchema.required as string[] | undefined) ?? [];
      return required.every((r) => r === s.idInput);
    });
    const rank = (t: BrainTool) => ['read', 'action', 'update'].indexOf(t.semantics!.effect);
    return candidates.sort((a, b) => rank(a) - rank(b))[0];
  }
}

/** Words a refusal of a missing row uses, in any wording a server might choose. */
const GONE = /not found|no such|does not exist|doesn't exist|unknown|missing|deleted|gone|no \w+ with/i;

/**
 * A tool error for a row that is not there (a policy refusal aside) that says neither its id, nor
 * the id field, nor that something is missing: an internal error, an empty message.
 */
function refusalHidesTheRow(outcome: ToolOutcome, id: string, idInput: string): boolean {
  if (outcome.ok || outcome.errorKind !== 'tool' || isPolicyRefusal(outcome)) return false;
  const text = outcome.text;
  return !(text.includes(id) || namesField(text, idInput) || GONE.test(text));
}
