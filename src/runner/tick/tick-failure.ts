import { clip } from '../../common/text.js';
import type { TickEnd } from '../../personas/schedule/persona-schedule.types.js';
import { BrainPausedError } from '../brains/brain.js';

/** Errors and reasons end up in persona_ticks.error (at most 2000 characters). */
export const TICK_ERROR_MAX = 2000;

/** Why a tick's signal was aborted: its own time limit. */
export class TickTimeoutError extends Error {
  constructor(readonly timeoutMs: number) {
    super(`tick timed out after ${timeoutMs} ms`);
    this.name = 'TickTimeoutError';
  }
}

/** Why a tick's signal was aborted: the runner stopped it (shutdown, an operator). */
export class TickStoppedError extends Error {
  constructor(reason: string) {
    super(`stopped: ${reason}`);
    this.name = 'TickStoppedError';
  }
}

/**
 * Why a tick's signal was aborted: the server is shutting down and RUNNER_SHUTDOWN_GRACE_MS is over.
 * Such a tick ends `aborted`; the call it cut is not audited and it writes no ratings.
 */
export class TickShutdownError extends TickStoppedError {
  constructor(reason: string) {
    super(reason);
    this.name = 'TickShutdownError';
  }
}

/** True when this signal was aborted by a runner shutdown (not a timeout, not an operator). */
export function abortedByShutdown(signal: Pick<AbortSignal, 'aborted' | 'reason'>): boolean {
  return signal.aborted && signal.reason instanceof TickShutdownError;
}

/** How a tick that threw ends. */
export interface TickFailure {
  status: Exclude<TickEnd, 'ok'>;
  error: string;
  /** The persona did nothing wrong (stopped, brain paused): it keeps its place in the queue. */
  keepSchedule: boolean;
}

export function describeReason(reason: unknown): string {
  return reason instanceof Error ? reason.message : String(reason);
}

/**
 * Classifies what ended a tick early. The tick's own signal wins over the error it caused:
 * - aborted by its time limit → `timed_out`, and the persona is rescheduled (backed off);
 * - aborted by a runner shutdown after the grace period → `aborted`, schedule kept;
 * - aborted for any other reason (runner stop, shutdown) → `failed`, schedule kept;
 * - the brain paused itself (no key, budget spent) → `failed`, schedule kept;
 * - anything else (login refused, the brain or the app broke) → `failed`, rescheduled.
 */
export function classifyFailure(
  error: unknown,
  signal: Pick<AbortSignal, 'aborted' | 'reason'>,
): TickFailure {
  if (signal.aborted && signal.reason instanceof TickTimeoutError) {
    return { status: 'timed_out', error: signal.reason.message, keepSchedule: false };
  }
  if (abortedByShutdown(signal)) {
    return {
      status: 'aborted',
      error: clip(describeReason(signal.reason), TICK_ERROR_MAX),
      keepSchedule: true,
    };
  }
  if (signal.aborted) {
    const why =
      signal.reason instanceof TickStoppedError
        ? signal.reason.message
        : `aborted: ${describeReason(signal.reason)}`;
    return { status: 'failed', error: clip(why, TICK_ERROR_MAX), keepSchedule: true };
  }
  if (error instanceof BrainPausedError) {
    return { status: 'failed', error: clip(error.message, TICK_ERROR_MAX), keepSchedule: true };
  }
  const message = error instanceof Error ? error.message : String(error);
  return { status: 'failed', error: clip(message, TICK_ERROR_MAX), keepSchedule: false };
}
