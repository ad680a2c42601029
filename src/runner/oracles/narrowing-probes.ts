import type { BrainTool } from '../brains/brain.js';
import type { FilterRule } from '../../tool-contract/tool-semantics.js';
import type { SchemaValidators } from './json-schema.js';
import { numberAt, propertyOf, typeOf } from './json-schema.js';
import type { Ledger, LedgerRow } from './ledger.js';
import { searchQueryFor } from './reader-input.js';
import { hashSeed, isInstant, isIsoDate, sameJson } from './values.js';
import type { Row } from './values.js';

/**
 * Reads that must answer LESS than the persona has: the list's limit and filters are promises only a
 * narrower read can show broken (a list of 3 rows never shows an ignored limit of 20). The engine
 * makes these reads and its passive checks judge the answers (`list.limit`, `list.filter.<input>`):
 * - a smaller limit: a list the persona read with n ≥ 2 items, again with limit n − 1;
 * - a filter set against an own row: a value of one declared filter that does NOT admit the row
 *   (the other boolean, another status, a bound past its value, a range that ends before it or
 *   starts after it), so the row, if the filter were ignored, would show where it must not.
 * Nothing here reports by itself: it only chooses inputs, each checked against the input schema.
 */

const DAY_MS = 86_400_000;

/** The same read with limit n − 1, when the answer had n ≥ 2 items under a larger limit. */
export function smallerLimitInput(
  tool: BrainTool,
  input: Row,
  items: number,
  validators: SchemaValidators,
): Row | null {
  const limit = tool.semantics?.list?.limit;
  if (!limit || items < 2) return null;
  const sent = typeof input[limit.input] === 'number' ? (input[limit.input] as number) : limit.default;
  const smaller = Math.min(items - 1, sent - 1);
  const min = numberAt(propertyOf(tool.inputSchema, limit.input)?.schema ?? {}, 'minimum') ?? 1;
  if (smaller < Math.max(1, min)) return null;
  const next = { ...input, [limit.input]: smaller };
  return validators.check(tool.inputSchema, next)?.ok ? next : null;
}

/** For each list tool with filters and an own readable row of its entity in my space: one exclusion. */
export function exclusionProbes(
  tools: ReadonlyMap<string, BrainTool>,
  ledger: Ledger,
  knownGood: (tool: string) => Row | undefined,
  seed: string,
  validators: SchemaValidators,
): Array<{ tool: string; input: Row }> {
  const out: Array<{ tool: string; input: Row }> = [];
  for (const tool of tools.values()) {
    const semantics = tool.semantics;
    if (!semantics?.list?.filters?.length || !['list', 'search'].includes(semantics.effect)) continue;
    const row = ledger.ownRows(semantics.entity, '').find((r) => !r.deleted && !r.unreadable);
    if (!row) continue;
    const base = { ...(knownGood(tool.name) ?? {}) };
    // a search is asked for the row by its own words, so only the filter can keep it out
    const search = semantics.search;
    if (search) {
      const query = searchQueryFor(
        search.fields.map((f) => row.row[f]),
        search.match === 'substring-casefold',
      );
      if (!query) continue;
      base[search.query] = query;
    }
    const variant = hashSeed(`${seed}:exclude:${tool.name}`);
    const input = excludingInput(tool, base, row, variant, validators);
    if (input) out.push({ tool: tool.name, input });
  }
  return out;
}

/**
 * Each declared order value of a list the persona read today, other than the one it last read it
 * with, once, with its other inputs as it sent them: the order check judges the answer (an order
 * the app ignores shows on the persona's own rows).
 */
export function orderProbes(
  tools: ReadonlyMap<string, BrainTool>,
  knownGood: (tool: string) => Row | undefined,
  validators: SchemaValidators,
): Array<{ tool: string; input: Row }> {
  const out: Array<{ tool: string; input: Row }> = [];
  for (const tool of tools.values()) {
    const order = tool.semantics?.list?.order;
    const good = knownGood(tool.name);
    if (!good || !order || !('byValue' in order)) continue;
    const read = good[order.input] ?? order.default;
    for (const value of Object.keys(order.byValue)) {
      const input = { ...good, [order.input]: typed(tool, order.input, value) };
      if (value !== String(read) && validators.check(tool.inputSchema, input)?.ok)
        out.push({ tool: tool.name, input });
    }
  }
  return out;
}

/**
 * For a list tool and an own row of its entity: inputs that set one declared filter to exclude the
 * row (every other input as the persona last sent it, or left out). `variant` picks among them.
 */
export function excludingInput(
  tool: BrainTool,
  base: Row,
  row: LedgerRow,
  variant: number,
  validators: SchemaValidators,
): Row | null {
  const filters = tool.semantics?.list?.filters ?? [];
  const candidates: Row[] = [];
  for (const filter of filters) {
    for (const values of exclusions(tool, filter, row.row)) {
      const input = { ...base, ...values };
      if (validators.check(tool.inputSchema, input)?.ok) candidates.push(input);
    }
  }
  if (candidates.length === 0) return null;
  return candidates[variant % candidates.length];
}

/** Values of a filter's input(s) that do not admit `row`. */
function exclusions(tool: BrainTool, filter: FilterRule, row: Row): Row[] {
  const value = row[filter.field];
  switch (filter.kind) {
    case 'equals':
      return typeof value === 'boolean' ? [{ [filter.input]: !value }] : [];
    case 'one-of': {
      const out: Row[] = [];
      for (const [key, admitted] of Object.entries(filter.values)) {
        if (admitted === null || admitted.some((v) => sameJson(v, value))) continue;
        out.push({ [filter.input]: typed(tool, filter.input, key) });
      }
      return out;
    }
    case 'min': {
      const past = step(value, filter.exclusive ? 0 : 1);
      return past === undefined ? [] : [{ [filter.input]: past }];
    }
    case 'max': {
      const before = step(value, filter.exclusive ? 0 : -1);
      return before === undefined ? [] : [{ [filter.input]: before }];
    }
    case 'overlaps': {
      const start = row[filter.field];
      const end = row[filter.endField];
      if (!isInstant(start) || !isInstant(end)) return [];
      const s = Date.parse(start);
      const e = Date.parse(end);
      const iso = (ms: number) => new Date(ms).toISOString();
      return [
        // a range that ends a day before the row starts
        { [filter.input]: iso(s - 3 * DAY_MS), [filter.inputEnd]: iso(s - DAY_MS) },
        // a range that starts a day after the row ends
        { [filter.input]: iso(e + DAY_MS), [filter.inputEnd]: iso(e + 2 * DAY_MS) },
      ];
    }
    case 'days-back':
      return [];
  }
}

/** A one-of key as the input's type wants it (`"true"` → true for a boolean input). */
function typed(tool: BrainTool, name: string, key: string): unknown {
  const type = typeOf(propertyOf(tool.inputSchema, name)?.schema ?? {});
  if (type === 'boolean') return key === 'true';
  if (type === 'integer' || type === 'number') return Number(key);
  return key;
}

/** A number, date or instant moved by `by` units (a day for dates and instants); 0 keeps it. */
function step(value: unknown, by: number): unknown {
  if (typeof value === 'number') return value + by;
  if (isIsoDate(value))
    return new Date(Date.parse(`${value}T00:00:00Z`) + by * DAY_MS).toISOString().slice(0, 10);
  if (isInstant(value)) return new Date(Date.parse(value) + by * DAY_MS).toISOString();
  return undefined;
}
