import type { BrainTool } from '../../brains/brain.js';
import type { FilterRule, ListSemantics, OrderKey } from '../../../tool-contract/tool-semantics.js';
import { propertyOf } from '../json-schema.js';
import {
  compareValues,
  daysBetween,
  dayIn,
  dayOf,
  instantMs,
  isNothing,
  sameInstant,
  sameJson,
  show,
} from '../values.js';
import type { Row } from '../values.js';
import { verdict } from '../verdict.js';
import type { Verdict } from '../verdict.js';

/**
 * The promises of a list (or search) answer, read from its declared ListSemantics: the limit, the
 * order, the filters and one row per id. Rows flagged unreadable are left out of the order and
 * filter checks (their encrypted fields are null by design).
 */

export interface Clock {
  now: Date;
  timezone: string;
}

/** The value an input takes: the one sent, else its schema default. */
export function inputValue(tool: BrainTool, input: Row, name: string): unknown {
  if (input[name] !== undefined) return input[name];
  return propertyOf(tool.inputSchema, name)?.schema.default;
}

export function unreadable(row: Row, list: ListSemantics | undefined): boolean {
  return !!list?.unreadableFlag && row[list.unreadableFlag] === true;
}

/** The limit a call asked for (sent or default); undefined when the tool declares none. */
export function limitOf(tool: BrainTool, input: Row): number | undefined {
  const limit = tool.semantics?.list?.limit;
  if (!limit) return undefined;
  const sent = input[limit.input];
  return typeof sent === 'number' ? sent : limit.default;
}

/** At most `limit` items (the limit sent or its default). */
export function limitCheck(tool: BrainTool, input: Row, items: Row[]): Verdict | null {
  const limit = limitOf(tool, input);
  if (limit === undefined || items.length <= limit) return null;
  return verdict('list.limit', 'contract', `at most ${limit} items (limit)`, `${items.length} items`);
}

/** The order keys a call asked for (sent or default). */
export function orderOf(tool: BrainTool, input: Row): OrderKey[] | undefined {
  const order = tool.semantics?.list?.order;
  if (!order) return undefined;
  if ('fixed' in order) return order.fixed;
  const value = input[order.input];
  return order.byValue[typeof value === 'string' ? value : order.default];
}

/** The items come in the declared order of the order value sent (or its default). */
export function orderCheck(tool: BrainTool, input: Row, items: Row[]): Verdict | null {
  const keys = orderOf(tool, input);
  if (!keys || keys.length === 0) return null;
  const rows = items.filter((r) => !unreadable(r, tool.semantics?.list));
  for (let i = 1; i < rows.length; i += 1) {
    const wrong = pairViolation(rows[i - 1], rows[i], keys);
    if (wrong) {
      return verdict('list.order', 'wrong_result', wrong.expected, wrong.got);
    }
  }
  return null;
}

function pairViolation(a: Row, b: Row, keys: OrderKey[]): { expected: string; got: string } | null {
  for (const key of keys) {
    const x = a[key.field];
    const y = b[key.field];
    if (isNothing(x) && isNothing(y)) continue;
    if (isNothing(x) || isNothing(y)) {
      if (key.nulls === 'last' && isNothing(x)) {
        return { expected: `${key.field} ${key.direction}, missing last`, got: `null before ${show(y)}` };
      }
      if (key.nulls === 'first' && isNothing(y)) {
        return { expected: `${key.field} ${key.direction}, missing first`, got: `${show(x)} before null` };
      }
      return null;
    }
    const c = compareValues(x, y);
    if (c === null) return null;
    if (c === 0) continue;
    if ((key.direction === 'asc') === c > 0) {
      return {
        expected: `${key.field} ${key.direction === 'asc' ? 'ascending' : 'descending'}`,
        got: `${show(x)} before ${show(y)}`,
      };
    }
    return null;
  }
  return null;
}

export type Admission = 'yes' | 'no' | 'unsure';

/**
 * Does the filter, given the input value, admit the row? `unsure` wherever the answer could depend
 * on a clock, a timezone or a value the row does not show.
 */
export function admits(filter: FilterRule, value: unknown, row: Row, clock: Clock, end?: unknown): Admission {
  if (value === undefined) return 'yes';
  switch (filter.kind) {
    case 'equals': {
      if (!(filter.field in row)) return 'unsure';
      return sameJson(row[filter.field], value) || sameInstant(row[filter.field], value) ? 'yes' : 'no';
    }
    case 'one-of': {
      const admitted = filter.values[String(value)];
      if (admitted === undefined || !(filter.field in row)) return 'unsure';
      if (admitted === null) return 'yes';
      return admitted.some((v) => sameJson(v, row[filter.field])) ? 'yes' : 'no';
    }
    case 'min':
    case 'max': {
      const c = compareValues(row[filter.field], value);
      if (c === null) return 'unsure';
      const sign = filter.kind === 'min' ? c : -c;
      return sign > 0 || (sign === 0 && !filter.exclusive) ? 'yes' : 'no';
    }
    case 'days-back':
      return filter.rolling
        ? rolling(row[filter.field], value, clock)
        : daysBack(row[filter.field], value, clock);
    case 'overlaps': {
      const rs = instantMs(row[filter.field]);
      const re = instantMs(row[filter.endField]);
      const is = instantMs(value);
      const ie = instantMs(end);
      if (rs === null || re === null || is === null || ie === null) return 'unsure';
      if (rs < ie && re > is) return 'yes';
      if (re < is || rs > ie) return 'no';
      return 'unsure';
    }
  }
}

const HOUR_MS = 3_600_000;

/** Within the last N×24 h up to the call (which is at or after `now`): clock skew and the tick's length make a margin. */
function rolling(rowValue: unknown, n: unknown, clock: Clock): Admission {
  const at = instantMs(rowValue);
  if (typeof n !== 'number' || at === null) return 'unsure';
  const start = clock.now.getTime() - n * 24 * HOUR_MS;
  if (at >= start + 24 * HOUR_MS) return 'yes';
  if (at < start - HOUR_MS / 12) return 'no';
  return 'unsure';
}

function daysBack(rowValue: unknown, n: unknown, clock: Clock): Admission {
  if (typeof n !== 'number') return 'unsure';
  const utc = dayIn(rowValue, 'UTC');
  const local = dayIn(rowValue, clock.timezone);
  if (!utc || !local) return 'unsure';
  const todays = [dayOf(clock.now, 'UTC'), dayOf(clock.now, clock.timezone)];
  const ages = todays.flatMap((t) => [daysBetween(utc, t), daysBetween(local, t)]);
  if (ages.every((age) => age <= n - 1)) return 'yes';
  if (ages.every((age) => age > n)) return 'no';
  return 'unsure';
}

/** Every readable row passes every declared filter for the input sent (`list.filter.<input>`). */
export function filterChecks(tool: BrainTool, input: Row, items: Row[], clock: Clock): Verdict[] {
  const list = tool.semantics?.list;
  const out: Verdict[] = [];
  for (const filter of list?.filters ?? []) {
    const value = inputValue(tool, input, filter.input);
    const end = filter.kind === 'overlaps' ? inputValue(tool, input, filter.inputEnd) : undefined;
    if (value === undefined) continue;
    const bad = items.find((r) => !unreadable(r, list) && admits(filter, value, r, clock, end) === 'no');
    if (!bad) continue;
    const shown =
      filter.kind === 'overlaps' ? `${bad[filter.field]}..${bad[filter.endField]}` : bad[filter.field];
    out.push(
      verdict(
        `list.filter.${filter.input}`,
        filterIgnored(filter, value, bad) ? 'contract' : 'wrong_result',
        `only rows admitted by ${filter.input} ${show(value)}${end !== undefined ? `..${show(end)}` : ''}`,
        `a row with ${filter.field} ${show(shown)}`,
      ),
    );
  }
  return out;
}

/**
 * A row the filter plainly excludes is there: the input was ignored (`contract`, as for an ignored
 * limit). Only a row exactly at a min/max bound is a wrong comparison (`wrong_result`).
 */
function filterIgnored(filter: FilterRule, value: unknown, row: Row): boolean {
  if (filter.kind !== 'min' && filter.kind !== 'max') return true;
  return compareValues(row[filter.field], value) !== 0;
}

/** Does the call's filter set admit the row? `unsure` as soon as one filter is unsure. */
export function allAdmit(tool: BrainTool, input: Row, row: Row, clock: Clock): Admission {
  let result: Admission = 'yes';
  for (const filter of tool.semantics?.list?.filters ?? []) {
    const end = filter.kind === 'overlaps' ? inputValue(tool, input, filter.inputEnd) : undefined;
    const a = admits(filter, inputValue(tool, input, filter.input), row, clock, end);
    if (a === 'no') return 'no';
    if (a === 'unsure') result = 'unsure';
  }
  return result;
}

/** A row of `entity` flagged unreadable by the flag any of the entity's readers declares. */
export function entityUnreadable(tools: ReadonlyMap<string, BrainTool>, entity: string, row: Row): boolean {
  for (const t of tools.values()) {
    const flag = t.semantics?.entity === entity ? t.semantics.list?.unreadableFlag : undefined;
    if (flag && row[flag] === true) return true;
  }
  return false;
}

/** No row is listed twice (by its id field). */
export function noDuplicatesCheck(idField: string, items: Row[]): Verdict | null {
  const seen = new Set<string>();
  for (const item of items) {
    const id = item[idField];
    if (isNothing(id)) continue;
    const key = JSON.stringify(id);
    if (seen.has(key))
      return verdict('list.no-duplicates', 'wrong_result', 'each row once', `${idField} ${show(id)} twice`);
    seen.add(key);
  }
  return null;
}
