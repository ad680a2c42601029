import type { TickEnd, TickOutcome } from '../../personas/schedule/persona-schedule.types.js';

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

/** What playing the day came to, before the fenced finish. */
export interface PlayedDay {
  status: TickEnd;
  error: string | null;
  keepSchedule: boolean;
  ratings: number;
  ratingError: string | null;
  toolCalls: number;
  tokensIn: number;
  tokensOut: number;
  costUsd: number;
  cacheReadTokens: number;
  cacheWriteTokens: number;
  /** The persona's own words for the day (day-words.ts). */
  words: string[];
}

/** What the fenced finish writes of a played day. */
export function tickOutcome(played: Omit<PlayedDay, 'keepSchedule'>, keepSchedule: boolean): TickOutcome {
  return {
    status: played.status,
    toolCalls: played.toolCalls,
    tokensIn: played.tokensIn,
    tokensOut: played.tokensOut,
    costUsd: played.costUsd,
    cacheReadTokens: played.cacheReadTokens,
    cacheWriteTokens: played.cacheWriteTokens,
    error: played.error,
    ratingError: played.ratingError,
    words: played.words,
    keepSchedule,
  };
}
