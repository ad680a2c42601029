import {
  CADENCE_INTERVAL_MS,
  FAILURE_BACKOFF_START_MS,
  isWeekend,
  weekdayName,
  weekdayStartFrom,
} from './due-rules.js';
import type { TickCadence } from './persona-schedule.types.js';

/**
 * Why a persona will not tick when its next due time says, in the order they are judged. Each is
 * something the schedule really does (see PersonaScheduleRepository.claimDue and RunnerService):
 * - `disabled`: its account is disabled (users.disabled_at); no claim ever picks it;
 * - `paused`: this server's runner is paused (an admin, or RUNNER_PAUSED): it claims no one;
 * - `brain_paused`: this server's runner's brain refuses work (DAILY_BUDGET_USD reached, or the
 *   LLM API refused the key or spend) and the runner claims no one until it resumes;
 * - `weekday_rule`: a weekdays persona on a Saturday or Sunday in its own timezone;
 * - `backoff`: its last ticks failed, so its next slot is pushed back (1 min, doubling per failure);
 * - `overdue`: due for longer than the grace (a few minutes plus one runner period) and not claimed.
 */
export const NOT_TICKING_REASONS = [
  'disabled',
  'paused',
  'brain_paused',
  'weekday_rule',
  'backoff',
  'overdue',
] as const;
export type NotTickingReason = (typeof NOT_TICKING_REASONS)[number];

export interface NotTicking {
  reason: NotTickingReason;
  /** One sentence for a person: what holds the persona back, and until when when that is known. */
  detail: string;
  /** Since when it holds (disabled: the account's disabling; overdue: when it fell due); else null. */
  since: Date | null;
  /** When it lifts by itself (backoff, weekday rule, a daily budget pause); else null. */
  until: Date | null;
}

/** The persona's schedule as stored, with its account's state and its lease. */
export interface PersonaScheduleFacts {
  tickCadence: TickCadence;
  timezone: string;
  /** next_due_at as stored: null until the first tick (due at once). */
  nextDueAt: Date | null;
  consecutiveFailures: number;
  createdAt: Date;
  disabledAt: Date | null;
  leaseExpiresAt: Date | null;
}

/** This server's runner as it reports itself on /health; undefined when this process runs none. */
export interface RunnerFacts {
  /** RUNNER_ENABLED: firings on RUNNER_CRON at all. */
  enabled: boolean;
  paused: boolean;
  brain: string;
  brainPaused: boolean;
  /** When DAILY_BUDGET_USD paused the brain: the next UTC midnight; null for any other pause. */
  brainResumesAt: Date | null;
}

/** How long past due a persona may wait for a claim before it is `overdue`, beyond one runner period. */
export const OVERDUE_GRACE_MS = 5 * 60_000;

/**
 * When the runner will next consider the persona due: next_due_at as stored (null: due now), unless
 * the weekday rule holds a weekdays persona back, then the start of the next weekday in its
 * timezone (DUE_CONDITION_SQL judges the weekday at claim time, so a stored time that has passed,
 * or a null one, waits for Monday when today is a weekend day there).
 */
export function effectiveNextDueAt(f: PersonaScheduleFacts, now: Date): Date | null {
  if (f.tickCadence !== 'weekdays') return f.nextDueAt;
  const at = f.nextDueAt && f.nextDueAt > now ? f.nextDueAt : now;
  return isWeekend(at, f.timezone) ? weekdayStartFrom(at, f.timezone) : f.nextDueAt;
}

/**
 * Why the persona will not tick at its next due time as a person would expect, or null when it
 * will (or is ticking right now: its lease is live). The first reason that holds wins, in the
 * order of NOT_TICKING_REASONS. Pure: `now` is the database's clock, `runner` this server's runner
 * (undefined: none here), `overdueAfterMs` how long past due counts as overdue.
 */
export function whyNotTicking(
  f: PersonaScheduleFacts,
  runner: RunnerFacts | undefined,
  now: Date,
  overdueAfterMs: number,
): NotTicking | null {
  if (f.disabledAt) {
    return notTicking('disabled', 'its account is disabled, and runners never claim a disabled account', {
      since: f.disabledAt,
    });
  }
  if (f.leaseExpiresAt && f.leaseExpiresAt > now) return null;
  if (runner?.paused) {
    return notTicking(
      'paused',
      "this server's runner is paused (by an admin, or RUNNER_PAUSED at boot) and claims no persona until it is resumed; a remote runner, if one runs, still may",
    );
  }
  if (runner?.brainPaused) return brainPaused(runner);
  if (f.tickCadence === 'weekdays' && isWeekend(now, f.timezone)) {
    const monday = weekdayStartFrom(now, f.timezone);
    return notTicking(
      'weekday_rule',
      `its cadence is weekdays and it is ${weekdayName(now, f.timezone)} in ${f.timezone}: no tick before Monday 00:00 there (${monday.toISOString()})`,
      { until: monday },
    );
  }
  if (f.consecutiveFailures > 0 && f.nextDueAt && f.nextDueAt > now) {
    const n = f.consecutiveFailures;
    const wait = Math.min(
      FAILURE_BACKOFF_START_MS * 2 ** Math.min(n - 1, 40),
      CADENCE_INTERVAL_MS[f.tickCadence],
    );
    return notTicking(
      'backoff',
      `its last ${n === 1 ? 'tick' : `${n} ticks`} failed, so it waits ${minutes(wait)} (1 min, doubled per failure in a row, at most its cadence's interval) until ${f.nextDueAt.toISOString()}`,
      { until: f.nextDueAt },
    );
  }
  const dueSince = dueSinceOf(f);
  if (now.getTime() - dueSince.getTime() > overdueAfterMs) {
    const who =
      runner && !runner.enabled
        ? "this server's runner is off (RUNNER_ENABLED=false), so only a remote runner or Run now ticks it"
        : 'every runner was busy (PERSONA_CONCURRENCY) or none is running';
    return notTicking(
      'overdue',
      `due since ${dueSince.toISOString()} (${minutes(now.getTime() - dueSince.getTime())} ago) and not claimed: ${who}`,
      { since: dueSince },
    );
  }
  return null;
}

/** When the persona fell due: next_due_at, or its creation when it never ticked, past any weekend. */
function dueSinceOf(f: PersonaScheduleFacts): Date {
  const due = f.nextDueAt ?? f.createdAt;
  return f.tickCadence === 'weekdays' ? weekdayStartFrom(due, f.timezone) : due;
}

function brainPaused(runner: RunnerFacts): NotTicking {
  if (runner.brainResumesAt) {
    return notTicking(
      'brain_paused',
      `this server's ${runner.brain} brain is paused: today's LLM spend reached DAILY_BUDGET_USD; it resumes at ${runner.brainResumesAt.toISOString()} (the next UTC day)`,
      { until: runner.brainResumesAt },
    );
  }
  return notTicking(
    'brain_paused',
    `this server's ${runner.brain} brain is paused (the LLM API refused its key or spend limit) until an admin resumes the runner`,
  );
}

function notTicking(
  reason: NotTickingReason,
  detail: string,
  at: { since?: Date; until?: Date } = {},
): NotTicking {
  return { reason, detail, since: at.since ?? null, until: at.until ?? null };
}

function minutes(ms: number): string {
  const m = Math.round(ms / 60_000);
  if (m < 120) return `${m} min`;
  const h = Math.round(m / 60);
  return h < 48 ? `${h} h` : `${Math.round(h / 24)} days`;
}
