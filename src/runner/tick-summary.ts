import type { TickEnd } from '../personas/persona-schedule.types.js';

/** What one tick came to (the admin "run now" answers this; runDue collects them). */
export interface TickSummary {
  tickId: string | null;
  personaId: string;
  status: TickEnd | 'skipped';
  brain: string;
  model: string | null;
  toolCalls: number;
  tokensIn: number;
  tokensOut: number;
  costUsd: number;
  ratings: number;
  error: string | null;
  ratingError: string | null;
  durationMs: number;
  /** False when the lease was taken over before the end: the result was not written. */
  recorded: boolean;
}

/** A summary of a tick that did nothing (yet): the one starting point for every summary. */
export function emptySummary(
  personaId: string,
  brain: { name: string; model: string | null },
  patch: Partial<TickSummary> = {},
): TickSummary {
  return {
    tickId: null,
    personaId,
    status: 'skipped',
    brain: brain.name,
    model: brain.model,
    toolCalls: 0,
    tokensIn: 0,
    tokensOut: 0,
    costUsd: 0,
    ratings: 0,
    error: null,
    ratingError: null,
    durationMs: 0,
    recorded: false,
    ...patch,
  };
}
