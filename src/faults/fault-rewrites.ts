/**
 * Pure helpers of the catalog's input and answer rewrites (fault-catalog.ts): no imports, no state.
 */
import type { FaultInput } from './fault-catalog.js';

export const HOUR_MS = 3_600_000;
export const DAY_MS = 86_400_000;

/** todo.update's patchable fields in input order (todo.update.drops-field leaves out the last one given). */
export const UPDATE_FIELDS_IN_ORDER = ['title', 'description', 'priority', 'dueDate', 'subtasks', 'status'];

/** The input without `field` (unchanged when there is none). */
export function without(input: FaultInput, field: string | undefined): FaultInput {
  if (field === undefined) return input;
  const { [field]: _left, ...rest } = input;
  return rest;
}

/** A list answer with these items and the `count` that goes with them. */
export function withCount<A extends object, T>(answer: A, items: T[]): A & { items: T[]; count: number } {
  return { ...answer, items, count: items.length };
}

/** The items without the most recently created one (the first of equals); ISO times sort as text. */
export function withoutNewest<T extends { createdAt: string }>(items: T[]): T[] {
  if (items.length === 0) return items;
  const newest = items.reduce((n, item, i) => (item.createdAt > items[n].createdAt ? i : n), 0);
  return items.filter((_, i) => i !== newest);
}

/** A calendar boundary in ms since the epoch: a bare date is midnight UTC (as calendar.schemas reads it). */
export function instant(value: string): number {
  return Date.parse(/^\d{4}-\d{2}-\d{2}$/.test(value) ? `${value}T00:00:00Z` : value);
}
