import type { BrainTool } from '../brains/brain.js';
import type { FilterRule } from '../../tool-contract/tool-semantics.js';
import { allAdmit } from './checks/list.checks.js';
import type { Clock } from './checks/list.checks.js';
import { matches } from './checks/search.checks.js';
import { numberAt, propertiesOf, propertyOf, typeOf } from './json-schema.js';
import type { SchemaValidators } from './json-schema.js';
import { isInstant, isIsoDate, sameJson } from './values.js';
import type { Row } from './values.js';

/**
 * The input a reader must answer with a given row in it: the limit at its maximum, every declared
 * filter set to a value that admits the row, a search query taken from the row's own words, the id
 * for a read by id. Null when the reader cannot be asked (a required input nobody can fill, an input
 * its schema would refuse, a row its filters might not admit).
 */
export interface ReaderPlan {
  reader: BrainTool;
  input: Row;
}

const DAY_MS = 86_400_000;

export function planRead(
  reader: BrainTool,
  id: string,
  row: Row,
  validators: SchemaValidators,
  clock: Clock,
  options: { strict: boolean },
): ReaderPlan | null {
  const semantics = reader.semantics;
  if (!semantics) return null;
  const input: Row = {};
  if (semantics.effect === 'read') {
    if (!semantics.idInput) return null;
    input[semantics.idInput] = id;
  } else if (semantics.effect === 'list' || semantics.effect === 'search') {
    const list = semantics.list;
    if (list?.complete === false) return null;
    if (list?.limit) {
      const prop = propertyOf(reader.inputSchema, list.limit.input);
      input[list.limit.input] = (prop && numberAt(prop.schema, 'maximum')) ?? list.limit.default;
    }
    for (const filter of list?.filters ?? []) {
      if (!fill(reader, filter, row, input) && options.strict) return null;
    }
    if (semantics.search) {
      const query = searchQueryFor(
        semantics.search.fields.map((f) => row[f]),
        semantics.search.match === 'substring-casefold',
      );
      if (!query) return null;
      input[semantics.search.query] = query;
      if (options.strict && !matches(semantics.search, row, query)) return null;
    }
    if (options.strict && allAdmit(reader, input, row, clock) !== 'yes') return null;
  } else {
    return null;
  }
  const missing = propertiesOf(reader.inputSchema).some((p) => p.required && input[p.name] === undefined);
  if (missing) return null;
  if (!validators.check(reader.inputSchema, input)?.ok) return null;
  return { reader, input };
}

/** Sets the filter's input to a value that admits the row; false when it cannot. */
function fill(reader: BrainTool, filter: FilterRule, row: Row, input: Row): boolean {
  const value = row[filter.field];
  switch (filter.kind) {
    case 'equals':
      if (value === undefined) return false;
      input[filter.input] = value;
      return true;
    case 'one-of': {
      const entries = Object.entries(filter.values);
      const key =
        entries.find(([, admitted]) => admitted !== null && admitted.some((v) => sameJson(v, value)))?.[0] ??
        entries.find(([, admitted]) => admitted === null)?.[0];
      if (key === undefined) return false;
      input[filter.input] = typed(reader, filter.input, key);
      return true;
    }
    case 'min':
    case 'max': {
      if (value === undefined || value === null) return false;
      input[filter.input] = filter.exclusive ? nudge(value, filter.kind === 'min' ? -1 : 1) : value;
      return input[filter.input] !== undefined;
    }
    case 'days-back': {
      const prop = propertyOf(reader.inputSchema, filter.input);
      const max = prop ? numberAt(prop.schema, 'maximum') : undefined;
      if (max === undefined) return false;
      input[filter.input] = max;
      return true;
    }
    case 'overlaps': {
      const start = row[filter.field];
      const end = row[filter.endField];
      const from = nudge(start, -1, true);
      const to = nudge(end, 1, true);
      if (from === undefined || to === undefined) return false;
      input[filter.input] = from;
      input[filter.inputEnd] = to;
      return true;
    }
  }
}

/** A one-of key as the input's type wants it (`"true"` → true for a boolean input). */
function typed(reader: BrainTool, name: string, key: string): unknown {
  const type = typeOf(propertyOf(reader.inputSchema, name)?.schema ?? {});
  if (type === 'boolean') return key === 'true';
  if (type === 'integer' || type === 'number') return Number(key);
  return key;
}

/** A value one step (a unit, a day) below or above; instants as UTC date-times. */
function nudge(value: unknown, step: number, day = false): unknown {
  if (typeof value === 'number') return value + step;
  if (isIsoDate(value))
    return new Date(Date.parse(`${value}T00:00:00Z`) + step * DAY_MS).toISOString().slice(0, 10);
  if (isInstant(value)) return new Date(Date.parse(value) + step * (day ? DAY_MS : 1000)).toISOString();
  return undefined;
}

/**
 * The query a search must find the row by: a phrase of up to three words as the row has them (a
 * literal substring, spaces included), else its longest word; for a case-folding search with its
 * ASCII letters in the other case (only ASCII: `ß` upper-cases to `SS`, which folds back to `ss`).
 */
export function searchQueryFor(values: unknown[], casefold: boolean): string | null {
  // a field that holds a list of texts (observations, tags) is searched in each of them
  const texts = values.flatMap((v) => (Array.isArray(v) ? v : [v]));
  const query = distinctivePhrase(texts) ?? distinctiveWord(texts);
  if (!query || !casefold) return query;
  return query.replace(/[A-Za-z]/g, (c) => (c === c.toLowerCase() ? c.toUpperCase() : c.toLowerCase()));
}

/** The first run of two or three words (4+ letters each) joined by single spaces, as written. */
export function distinctivePhrase(values: unknown[]): string | null {
  for (const value of values) {
    if (typeof value !== 'string') continue;
    const phrase = value.match(/\p{L}{4,}(?: \p{L}{4,}){1,2}/u)?.[0];
    if (phrase && phrase.length <= 120) return phrase;
  }
  return null;
}

/** The longest word of at least 4 letters in the values (a query that finds the row and few others). */
export function distinctiveWord(values: unknown[]): string | null {
  let best: string | null = null;
  for (const value of values) {
    if (typeof value !== 'string') continue;
    for (const word of value.match(/\p{L}{4,}/gu) ?? []) {
      if (!best || word.length > best.length) best = word;
    }
  }
  return best ? best.slice(0, 40) : null;
}
