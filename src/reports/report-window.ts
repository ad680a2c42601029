import { decodeKeysetCursor, encodeKeysetCursor } from '../common/keyset-cursor.js';
import type { Bucket } from './reports-query.dto.js';
import { ReportErrorCode, ReportException } from './reports.exception.js';

export const DAY_MS = 86_400_000;
/** The longest range any report accepts. */
export const MAX_RANGE_DAYS = 366;
export const DEFAULT_RANGE_DAYS = 28;

/** A half-open time range [from, to). */
export interface TimeRange {
  from: Date;
  to: Date;
}

/**
 * Parses an ISO 8601 query value (already shape-checked by the DTO). A value without an offset
 * (`2025-03-01` or `2025-03-01T08:00`) is read as UTC, never as the server's local time.
 */
export function parseInstant(name: string, value: string): Date {
  const hasTime = value.includes('T');
  const hasZone = /(Z|[+-]\d{2}(:?\d{2})?)$/i.test(value);
  const date = new Date(hasTime && !hasZone ? `${value}Z` : value);
  const year = date.getUTCFullYear();
  if (Number.isNaN(date.getTime()) || year < 1900 || year > 9999) {
    throw new ReportException(ReportErrorCode.BAD_RANGE, `${name} is not a date between 1900 and 9999`);
  }
  return date;
}

/**
 * Resolves ?from&to into a bounded range: `to` defaults to `now`, `from` to `to − defaultDays`.
 * Refuses from ≥ to and ranges longer than MAX_RANGE_DAYS, naming the parameter.
 */
export function resolveRange(
  query: { from?: string; to?: string },
  now: Date,
  defaultDays = DEFAULT_RANGE_DAYS,
): TimeRange {
  const to = query.to !== undefined ? parseInstant('to', query.to) : now;
  const from =
    query.from !== undefined
      ? parseInstant('from', query.from)
      : new Date(to.getTime() - defaultDays * DAY_MS);
  checkOrder(from, to);
  return { from, to };
}

/** Like resolveRange, but either end may stay open (the tick timeline). */
export function resolveOpenRange(query: { from?: string; to?: string }): { from?: Date; to?: Date } {
  const from = query.from !== undefined ? parseInstant('from', query.from) : undefined;
  const to = query.to !== undefined ? parseInstant('to', query.to) : undefined;
  if (from && to) checkOrder(from, to);
  return { from, to };
}

function checkOrder(from: Date, to: Date): void {
  if (from.getTime() >= to.getTime()) {
    throw new ReportException(ReportErrorCode.BAD_RANGE, 'from must be before to');
  }
  const days = (to.getTime() - from.getTime()) / DAY_MS;
  if (days > MAX_RANGE_DAYS) {
    throw new ReportException(
      ReportErrorCode.BAD_RANGE,
      `from..to spans ${Math.ceil(days)} days; at most ${MAX_RANGE_DAYS} days are allowed`,
    );
  }
}

/**
 * Keyset position in the tick timeline (started_at DESC, id DESC), sent to clients as an opaque string.
 * `startedAt` keeps Postgres' microseconds (a JS Date would cut them and skip rows on the next page).
 */
export interface TickCursor {
  startedAt: string;
  id: string;
}

/** started_at as the tick timeline query prints it (UTC, ISO 8601, up to microseconds). */
const STARTED_KEY = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d{1,6})?Z$/;

export function encodeTickCursor(cursor: TickCursor): string {
  return encodeKeysetCursor({ key: cursor.startedAt, id: cursor.id });
}

export function decodeTickCursor(value: string): TickCursor {
  const position = decodeKeysetCursor(value, STARTED_KEY);
  if (!position || Number.isNaN(new Date(position.key).getTime())) {
    throw new ReportException(ReportErrorCode.BAD_CURSOR, 'cursor is not valid: pass nextCursor as given');
  }
  return { startedAt: position.key, id: position.id };
}

/** Every bucket start (UTC date) from the bucket holding `from` up to the one holding `to − 1 ms`. */
export function bucketStarts(from: Date, to: Date, bucket: Bucket): string[] {
  const start = new Date(Date.UTC(from.getUTCFullYear(), from.getUTCMonth(), from.getUTCDate()));
  if (bucket === 'week') start.setUTCDate(start.getUTCDate() - ((start.getUTCDay() + 6) % 7));
  const step = bucket === 'week' ? 7 : 1;
  const out: string[] = [];
  for (const d = start; d.getTime() < to.getTime(); d.setUTCDate(d.getUTCDate() + step)) {
    out.push(d.toISOString().slice(0, 10));
  }
  return out;
}
