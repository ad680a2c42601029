import type { EchoCompare } from '../../tool-contract/tool-semantics.js';

/**
 * Pure value helpers of the oracle checks: how a value is shown in a finding, how two values are
 * compared under a declared compare rule, and how a dotted path reads an answer. Nothing here knows a
 * tool by name.
 */

export type Row = Record<string, unknown>;

/** A value as a finding shows it: JSON, at most 80 characters. */
export function show(value: unknown): string {
  const text =
    value === undefined ? 'nothing' : typeof value === 'string' ? `"${value}"` : JSON.stringify(value);
  return text.length > 80 ? `${text.slice(0, 77)}...` : text;
}

/** A finding's `expected` / `got`: at most 200 characters. */
export function clip(text: string): string {
  return text.length > 200 ? `${text.slice(0, 197)}...` : text;
}

export function isRow(value: unknown): value is Row {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

const ISO_DATE = /^\d{4}-\d{2}-\d{2}$/;
const ISO_DATE_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})$/i;

export function isIsoDate(value: unknown): value is string {
  return typeof value === 'string' && ISO_DATE.test(value);
}

export function isInstant(value: unknown): value is string {
  return typeof value === 'string' && ISO_DATE_TIME.test(value) && !Number.isNaN(Date.parse(value));
}

/** Two date-times that name the same instant (`09:00+01:00` is `08:00Z`). */
export function sameInstant(a: unknown, b: unknown): boolean {
  return isInstant(a) && isInstant(b) && Date.parse(a) === Date.parse(b);
}

/** JSON with object keys sorted: two values with the same canonical form are the same JSON value. */
export function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  if (isRow(value)) {
    const entries = Object.entries(value)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonical(v)}`).join(',')}}`;
  }
  return JSON.stringify(value ?? null);
}

export function sameJson(a: unknown, b: unknown): boolean {
  return canonical(a) === canonical(b);
}

/** Does the row value read back as what was sent, under the declared compare rule? */
export function sameByCompare(
  compare: EchoCompare,
  sent: unknown,
  got: unknown,
  itemField?: string,
): boolean {
  switch (compare) {
    case 'items':
      return sameItems(sent, got, itemField);
    case 'text':
      // stored trimmed: `  Buy milk ` answers `Buy milk`, and nothing else
      return typeof sent === 'string' && typeof got === 'string' && sent.trim() === got;
    case 'casefold':
      return (
        typeof sent === 'string' &&
        typeof got === 'string' &&
        sent.trim().toLocaleLowerCase('en-US') === got.trim().toLocaleLowerCase('en-US')
      );
    case 'instant':
      return sameInstant(sent, got) || (typeof sent === 'string' && sent === got);
    case 'set': {
      if (!Array.isArray(sent) || !Array.isArray(got)) return false;
      const fold = (v: unknown) =>
        typeof v === 'string' ? v.trim().toLocaleLowerCase('en-US') : canonical(v);
      const want = new Set(sent.map(fold));
      const have = new Set(got.map(fold));
      return want.size === have.size && [...want].every((v) => have.has(v));
    }
    case 'json':
      return sameJson(sent, got);
    case 'exact':
    default:
      return sent === got || (typeof sent === 'number' && typeof got === 'number' && sent === got);
  }
}

/** Arrays item by item: a string as the item's `itemField`, an object by the keys it has. */
function sameItems(sent: unknown, got: unknown, itemField: string | undefined): boolean {
  if (!Array.isArray(sent) || !Array.isArray(got) || sent.length !== got.length) return false;
  return sent.every((item, i) => {
    const answered = got[i];
    if (typeof item === 'string') {
      const value = itemField && isRecord(answered) ? answered[itemField] : answered;
      return typeof value === 'string' && item.trim() === value;
    }
    if (isRecord(item) && isRecord(answered)) {
      return Object.entries(item).every(([k, v]) =>
        typeof v === 'string' && typeof answered[k] === 'string'
          ? (answered[k] as string).trim() === v.trim()
          : sameJson(v, answered[k]),
      );
    }
    return sameJson(item, answered);
  });
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Absent or null. */
/** The values that are not null (checks answer null when they hold). */
export function presentOnes<T>(values: Array<T | null>): T[] {
  return values.filter((v): v is T => v !== null);
}

export function isNothing(value: unknown): boolean {
  return value === null || value === undefined;
}

/**
 * A dotted path into an answer. A segment met on an array maps over it: `items.level` answers the
 * level of every item.
 */
export function getPath(data: unknown, path: string): unknown {
  if (path === '' || path === '.') return data;
  let current: unknown = data;
  for (const segment of path.split('.')) {
    if (Array.isArray(current)) current = current.map((item) => (isRow(item) ? item[segment] : undefined));
    else if (isRow(current)) current = current[segment];
    else return undefined;
  }
  return current;
}

/** The rows of a list answer at `path`, or null when there is no array there. */
export function rowsAt(data: unknown, path: string): Row[] | null {
  const items = getPath(data, path);
  if (!Array.isArray(items)) return null;
  return items.filter(isRow);
}

/** Case-insensitive (or exact) literal containment, as search tools promise; a list of texts contains it when one does. */
export function contains(haystack: unknown, needle: string, casefold: boolean): boolean {
  if (Array.isArray(haystack)) return haystack.some((h) => contains(h, needle, casefold));
  if (typeof haystack !== 'string') return false;
  if (!casefold) return haystack.includes(needle) || haystack.includes(needle.trim());
  const h = haystack.toLocaleLowerCase('en-US');
  const n = needle.toLocaleLowerCase('en-US');
  return h.includes(n) || h.includes(n.trim());
}

/** Words as the journal service counts them: runs of letters or digits, with inner apostrophes and hyphens. */
export function countWords(text: string): number {
  return text.match(/[\p{L}\p{N}][\p{L}\p{N}'’-]*/gu)?.length ?? 0;
}

/** Does the error text name the field that was wrong? */
export function namesField(message: string, field: string): boolean {
  return message.toLowerCase().includes(field.toLowerCase());
}

/**
 * Orders two sortable values: instants as instants, dates and other strings by code point, numbers
 * and booleans as numbers. Null when they cannot be compared (mixed kinds, missing).
 */
export function compareValues(a: unknown, b: unknown): number | null {
  if (isNothing(a) || isNothing(b)) return null;
  if (isInstant(a) && isInstant(b)) return Math.sign(Date.parse(a) - Date.parse(b));
  if (isIsoDate(a) !== isIsoDate(b) && (isInstant(a) || isInstant(b))) return null;
  if (typeof a === 'number' && typeof b === 'number') return Math.sign(a - b);
  if (typeof a === 'boolean' && typeof b === 'boolean') return Number(a) - Number(b);
  if (typeof a === 'string' && typeof b === 'string') return a < b ? -1 : a > b ? 1 : 0;
  return null;
}

/** The calendar day of an instant or a date in a timezone (`YYYY-MM-DD`); null when not a date. */
export function dayIn(value: unknown, timezone: string): string | null {
  if (isIsoDate(value)) return value;
  if (!isInstant(value)) return null;
  return dayOf(new Date(Date.parse(value)), timezone);
}

export function dayOf(at: Date, timezone: string): string {
  try {
    return new Intl.DateTimeFormat('en-CA', {
      timeZone: timezone,
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
    }).format(at);
  } catch {
    return at.toISOString().slice(0, 10);
  }
}

/** Days from `a` to `b` (both `YYYY-MM-DD`). */
export function daysBetween(a: string, b: string): number {
  return Math.round((Date.parse(`${b}T00:00:00Z`) - Date.parse(`${a}T00:00:00Z`)) / 86_400_000);
}

/** Milliseconds of an instant or of a date's midnight UTC; null when neither. */
export function instantMs(value: unknown): number | null {
  if (isIsoDate(value)) return Date.parse(`${value}T00:00:00Z`);
  if (isInstant(value)) return Date.parse(value);
  return null;
}

/** A stable 32-bit hash of a string (fast-check seeds). */
export function hashSeed(text: string): number {
  let h = 2166136261;
  for (let i = 0; i < text.length; i += 1) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 16777619);
  }
  return h | 0;
}
