import type { TickCadence } from './persona-schedule.types.js';

const HOUR_MS = 60 * 60_000;
const DAY_MS = 24 * HOUR_MS;

/** How long a persona rests after a successful tick. */
export const CADENCE_INTERVAL_MS: Readonly<Record<TickCadence, number>> = {
  hourly: HOUR_MS,
  daily: DAY_MS,
  weekdays: DAY_MS,
};

/** The first retry after a failed tick; each further consecutive failure doubles it. */
export const FAILURE_BACKOFF_START_MS = 60_000;

/**
 * When a persona may tick next, given when its last tick finished (`from`) and how many ticks in a
 * row have failed (0 after a success, counting the one that just ended otherwise).
 *
 * - success: hourly +1 h, daily +24 h, weekdays +24 h;
 * - failure n (n ≥ 1): +1 min · 2^(n−1), never longer than the cadence's own interval, so a broken
 *   persona backs off instead of retrying every minute, yet is never parked longer than a normal rest;
 * - weekdays: a time that falls on a Saturday or Sunday in the persona's timezone moves on by whole
 *   days (24 h steps) to the next weekday, for retries too: a weekday persona never ticks on a weekend.
 *
 * Pure: the runner passes the database's clock reading as `from`. An unknown timezone is treated as
 * UTC (the admin API only stores zones that both Node and PostgreSQL accept).
 */
export function nextDueAt(
  cadence: TickCadence,
  timezone: string,
  from: Date,
  consecutiveFailures: number,
): Date {
  const interval = CADENCE_INTERVAL_MS[cadence];
  if (interval === undefined) throw new Error(`unknown tick cadence "${String(cadence)}"`);
  const failures = Number.isFinite(consecutiveFailures) ? Math.max(0, Math.floor(consecutiveFailures)) : 0;
  const delay =
    failures === 0
      ? interval
      : Math.min(FAILURE_BACKOFF_START_MS * 2 ** Math.min(failures - 1, 40), interval);
  let next = from.getTime() + delay;
  if (cadence === 'weekdays') {
    while (isWeekend(new Date(next), timezone)) next += DAY_MS;
  }
  return new Date(next);
}

const weekdayFormats = new Map<string, Intl.DateTimeFormat>();

/** True when `at` is a Saturday or Sunday on the wall clock of `timezone`. */
export function isWeekend(at: Date, timezone: string): boolean {
  let format = weekdayFormats.get(timezone);
  if (!format) {
    try {
      format = new Intl.DateTimeFormat('en-US', { timeZone: timezone, weekday: 'short' });
    } catch {
      format = new Intl.DateTimeFormat('en-US', { timeZone: 'UTC', weekday: 'short' });
    }
    weekdayFormats.set(timezone, format);
  }
  const day = format.format(at);
  return day === 'Sat' || day === 'Sun';
}

const DAY_NAMES = ['Sunday', 'Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday'];
const wallFormats = new Map<string, Intl.DateTimeFormat>();

/** The wall clock of `timezone` at `at` (an unknown zone reads as UTC, as in isWeekend). */
function wallClock(at: number, timezone: string): { y: number; m: number; d: number; ms: number } {
  let format = wallFormats.get(timezone);
  if (!format) {
    const options: Intl.DateTimeFormatOptions = {
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      second: 'numeric',
      hourCycle: 'h23',
    };
    try {
      format = new Intl.DateTimeFormat('en-US', { ...options, timeZone: timezone });
    } catch {
      format = new Intl.DateTimeFormat('en-US', { ...options, timeZone: 'UTC' });
    }
    wallFormats.set(timezone, format);
  }
  const part = (parts: Intl.DateTimeFormatPart[], type: string) =>
    Number(parts.find((p) => p.type === type)?.value ?? 0);
  const parts = format.formatToParts(new Date(at));
  const [y, m, d] = [part(parts, 'year'), part(parts, 'month'), part(parts, 'day')];
  const ms = Date.UTC(y, m - 1, d, part(parts, 'hour'), part(parts, 'minute'), part(parts, 'second'));
  return { y, m, d, ms: ms + (at % 1000) };
}

/** The weekday of `at` on the wall clock of `timezone`, in English (`Saturday`). */
export function weekdayName(at: Date, timezone: string): string {
  const { y, m, d } = wallClock(at.getTime(), timezone);
  return DAY_NAMES[new Date(Date.UTC(y, m - 1, d)).getUTCDay()];
}

/**
 * The first instant after `at` that is a weekday (Monday to Friday) on the wall clock of
 * `timezone`: `at` itself on a weekday, else the start of the following Monday there (00:00, or
 * the first minute after it where the zone's clocks skip midnight). When a weekend holds a weekdays
 * persona back, this is when DUE_CONDITION_SQL lets it be claimed again.
 */
export function weekdayStartFrom(at: Date, timezone: string): Date {
  if (!isWeekend(at, timezone)) return at;
  const wall = wallClock(at.getTime(), timezone);
  const day = new Date(Date.UTC(wall.y, wall.m - 1, wall.d)).getUTCDay();
  const monday = Date.UTC(wall.y, wall.m - 1, wall.d + (day === 6 ? 2 : 1));
  // the instant whose wall clock reads Monday 00:00: the UTC reading less the zone's offset then
  let t = monday - (wall.ms - at.getTime());
  t = monday - (wallClock(t, timezone).ms - t);
  while (isWeekend(new Date(t), timezone)) t += 60_000;
  return new Date(t);
}

/**
 * The due condition in SQL, for a `personas` row aliased `p`, evaluated with the database's clock:
 * never ticked or past its next_due_at, not leased by a live claim, and for a weekdays persona
 * not on a weekend in its timezone (a persona created on a Saturday waits for Monday).
 */
export const DUE_CONDITION_SQL = `(p.next_due_at IS NULL OR p.next_due_at <= now())
  AND (p.lease_expires_at IS NULL OR p.lease_expires_at < now())
  AND (p.tick_cadence <> 'weekdays' OR extract(isodow FROM now() AT TIME ZONE p.timezone) < 6)`;
