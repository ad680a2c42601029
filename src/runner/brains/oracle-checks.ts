import type { FindingClass } from './brain.js';

/**
 * Pure checks of what a tool promises, used by the scripted brain's oracles. Each answers `null`
 * when the promise holds, or a short { expected, got } when it does not. They compare only what the
 * persona itself sent or was shown, so a finding never carries another space's data.
 */
export interface Mismatch {
  expected: string;
  got: string;
}

/** A value as a finding shows it: JSON, at most 120 characters. */
export function show(value: unknown): string {
  const text =
    value === undefined ? 'nothing' : typeof value === 'string' ? `"${value}"` : JSON.stringify(value);
  return text.length > 120 ? `${text.slice(0, 117)}...` : text;
}

const ISO_DATE_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})$/;

/** Two date-times that name the same instant (`09:00+01:00` is `08:00Z`). */
export function sameInstant(a: unknown, b: unknown): boolean {
  return (
    typeof a === 'string' &&
    typeof b === 'string' &&
    !Number.isNaN(Date.parse(a)) &&
    Date.parse(a) === Date.parse(b)
  );
}

export type FieldKind = 'text' | 'exact' | 'instant' | 'tags' | 'email' | 'json';

/**
 * Does the stored value read back as what was sent? `text` ignores surrounding whitespace (tools trim),
 * `tags` and `email` ignore case (tools lower-case them), `instant` compares the moment in time.
 */
export function sameValue(kind: FieldKind, sent: unknown, got: unknown): boolean {
  switch (kind) {
    case 'text':
      return typeof got === 'string' && typeof sent === 'string' && got.trim() === sent.trim();
    case 'email':
      return typeof got === 'string' && typeof sent === 'string' && got.toLowerCase() === sent.toLowerCase();
    case 'instant':
      return sameInstant(sent, got);
    case 'tags': {
      if (!Array.isArray(sent) || !Array.isArray(got)) return false;
      const want = new Set(sent.map((t) => String(t).trim().toLowerCase()));
      const have = new Set(got.map((t) => String(t).trim().toLowerCase()));
      return want.size === have.size && [...want].every((t) => have.has(t));
    }
    case 'json':
      return canonical(sent) === canonical(got);
    case 'exact':
    default:
      return sent === got;
  }
}

function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  if (value && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => a.localeCompare(b));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonical(v)}`).join(',')}}`;
  }
  return JSON.stringify(value ?? null);
}

export interface FieldExpectation {
  field: string;
  kind: FieldKind;
  sent: unknown;
  /** What the field would hold had the tool not looked at it (its default, or its value before). */
  ignored?: unknown;
}

export interface FieldMismatch extends Mismatch {
  field: string;
  /** contract: the answer is what it would be had the field not been sent; wrong_result otherwise. */
  class: Extract<FindingClass, 'contract' | 'wrong_result'>;
}

/** Every sent field that does not read back as sent, each classified as ignored or wrong. */
export function fieldMismatches(row: unknown, expectations: FieldExpectation[]): FieldMismatch[] {
  const record = (row ?? {}) as Record<string, unknown>;
  const out: FieldMismatch[] = [];
  for (const e of expectations) {
    if (e.sent === undefined) continue;
    const got = record[e.field];
    if (sameValue(e.kind, e.sent, got)) continue;
    const ignored =
      'ignored' in e &&
      (sameValue(e.kind, e.ignored, got) || (e.ignored === null && (got === null || got === undefined)));
    out.push({
      field: e.field,
      expected: `${e.field} ${show(e.sent)}`,
      got: `${e.field} ${show(got)}`,
      class: ignored ? 'contract' : 'wrong_result',
    });
  }
  return out;
}

/** The rows of a list-like answer (`{ items: [...] }`), or null when the answer has no such list. */
export function itemsOf(data: unknown): Array<Record<string, unknown>> | null {
  const items = (data as { items?: unknown } | null | undefined)?.items;
  if (!Array.isArray(items)) return null;
  return items.filter((i): i is Record<string, unknown> => typeof i === 'object' && i !== null);
}

/** The one row a write answered (`{ task: {...} }`, `{ entry: {...} }`), found by its key. */
export function rowOf(data: unknown, key: string): Record<string, unknown> | null {
  const row = (data as Record<string, unknown> | null | undefined)?.[key];
  return row && typeof row === 'object' && !Array.isArray(row) ? (row as Record<string, unknown>) : null;
}

/** `count` says how many items came back. */
export function countMismatch(data: unknown): Mismatch | null {
  const items = itemsOf(data);
  const count = (data as { count?: unknown } | null)?.count;
  if (!items || typeof count !== 'number' || count === items.length) return null;
  return { expected: `count ${items.length} (the items listed)`, got: `count ${count}` };
}

/** No row listed twice. */
export function duplicateIds(items: Array<Record<string, unknown>>): Mismatch | null {
  const seen = new Set<unknown>();
  for (const item of items) {
    if (item.id === undefined) continue;
    if (seen.has(item.id)) return { expected: 'each item once', got: `item ${show(item.id)} listed twice` };
    seen.add(item.id);
  }
  return null;
}

/** At most `limit` items. */
export function limitExceeded(items: unknown[], limit: number): Mismatch | null {
  return items.length > limit
    ? { expected: `at most ${limit} items (limit)`, got: `${items.length} items` }
    : null;
}

export type SortDirection = 'asc' | 'desc';

/**
 * Items ordered by `key` as promised. Values compare as instants when they are date-times, else as
 * strings or numbers; `nullsLast` puts missing values at the end.
 */
export function orderViolation(
  items: Array<Record<string, unknown>>,
  key: string,
  direction: SortDirection,
  options: { nullsLast?: boolean } = {},
): Mismatch | null {
  const value = (item: Record<string, unknown>): number | string | null => {
    const v = item[key];
    if (v === null || v === undefined) return null;
    if (typeof v === 'string' && ISO_DATE_TIME.test(v)) return Date.parse(v);
    return typeof v === 'number' || typeof v === 'string' ? v : null;
  };
  for (let i = 1; i < items.length; i += 1) {
    const a = value(items[i - 1]);
    const b = value(items[i]);
    if (a === null && b === null) continue;
    if (a === null || b === null) {
      if (options.nullsLast && a === null && b !== null) {
        return {
          expected: `${key} ${direction}, missing last`,
          got: `an item without ${key} before one with it`,
        };
      }
      continue;
    }
    const wrong = direction === 'asc' ? a > b : a < b;
    if (wrong) {
      return {
        expected: `${key} ${direction === 'asc' ? 'ascending' : 'descending'}`,
        got: `${show(items[i - 1][key])} before ${show(items[i][key])}`,
      };
    }
  }
  return null;
}

/** Case-insensitive literal containment, as the search tools promise. */
export function containsFolded(haystack: unknown, needle: string): boolean {
  return (
    typeof haystack === 'string' &&
    haystack.toLocaleLowerCase('en-US').includes(needle.trim().toLocaleLowerCase('en-US'))
  );
}

/** Every search hit contains the query in one of `fields` (items that could not be decrypted aside). */
export function searchMiss(
  items: Array<Record<string, unknown>>,
  query: string,
  fields: string[],
): Mismatch | null {
  for (const item of items) {
    if (item.decryptionFailed === true) continue;
    if (!fields.some((f) => containsFolded(item[f], query))) {
      return {
        expected: `every result contains "${query}" in ${fields.join(' or ')}`,
        got: `result ${show(item.id)} does not`,
      };
    }
  }
  return null;
}

/** The mean of `values`, rounded as the tools round it (one decimal), with a tolerance for rounding. */
export function averageMismatch(values: number[], reported: unknown): Mismatch | null {
  if (values.length === 0) {
    return reported === null
      ? null
      : { expected: 'average null (no entries)', got: `average ${show(reported)}` };
  }
  const mean = values.reduce((s, v) => s + v, 0) / values.length;
  if (typeof reported === 'number' && Math.abs(reported - mean) <= 0.051) return null;
  return {
    expected: `average ${Math.round(mean * 10) / 10} of the levels listed`,
    got: `average ${show(reported)}`,
  };
}

/** Words as a person counts them: runs of letters or digits, with inner apostrophes and hyphens. */
export function countWords(text: string): number {
  return text.match(/[\p{L}\p{N}][\p{L}\p{N}'’-]*/gu)?.length ?? 0;
}

/** Does the error text name the field that was wrong? A message that does not is confusing. */
export function namesField(message: string, field: string): boolean {
  return message.toLowerCase().includes(field.toLowerCase());
}
