import { isUuid } from '../../../common/uuid.js';
import type { ToolOutcome } from '../brain.js';

/** A row of a tool's answer, as JSON. */
export type Row = Record<string, unknown>;

/**
 * Reading an answer to decide what to do next (which task to complete, which habit to check in on):
 * never a verdict on the answer. A failed call or an answer without the expected shape reads as
 * "nothing there", and the persona moves on.
 */

/** The rows of a list answer (`{ items: [...] }`); none when the call failed or there are none. */
export function itemsOf(outcome: ToolOutcome | undefined): Row[] {
  const items = outcome?.ok ? (outcome.data as { items?: unknown } | null | undefined)?.items : undefined;
  if (!Array.isArray(items)) return [];
  return items.filter((i): i is Row => typeof i === 'object' && i !== null && !Array.isArray(i));
}

/** The one row a write answered (`{ task: {...} }`), by its key; null when the call failed. */
export function rowOf(outcome: ToolOutcome | undefined, key: string): Row | null {
  const row = outcome?.ok ? (outcome.data as Row | null | undefined)?.[key] : undefined;
  return row && typeof row === 'object' && !Array.isArray(row) ? (row as Row) : null;
}

/** The row's id, when it is one the persona can use in a later call. */
export function idOf(row: Row | null | undefined): string | null {
  return row && isUuid(row.id) ? row.id : null;
}

/**
 * `text` with `suffix` added once (a suffix already there is not repeated), shortened so the whole
 * stays within `max` characters: a title read back from a list may already be as long as allowed.
 */
export function withSuffix(text: unknown, suffix: string, max: number): string {
  const base = String(text ?? '').endsWith(suffix)
    ? String(text).slice(0, -suffix.length)
    : String(text ?? '');
  let kept = '';
  // whole code points only, counted in UTF-16 units as the tools count them
  for (const char of base) {
    if (kept.length + char.length > max - suffix.length) break;
    kept += char;
  }
  return `${kept.trimEnd()}${suffix}`;
}
