/**
 * Plain types of the persona tables that other modules (the runner) may use. The entity files use
 * them too, so there is one definition of each; nothing outside src/personas imports an entity.
 */

export const TICK_CADENCES = ['hourly', 'daily', 'weekdays'] as const;
export type TickCadence = (typeof TICK_CADENCES)[number];
/** Module → weight ≥ 0. */
export type ModuleMix = Record<string, number>;

/**
 * `aborted`: cut by a runner shutdown after RUNNER_SHUTDOWN_GRACE_MS; `budget_exceeded`: stopped at
 * TICK_BUDGET_USD. Mirrored by the CHECK of migrations/1763700009000-tick-statuses.ts.
 */
export const TICK_STATUSES = ['running', 'ok', 'failed', 'timed_out', 'aborted', 'budget_exceeded'] as const;
export type TickStatus = (typeof TICK_STATUSES)[number];
/** How a tick ended. */
export type TickEnd = Exclude<TickStatus, 'running'>;

export type ActionResult = 'ok' | 'error';
/** `unknown_tool`: the model called a tool name that does not exist (nothing reached the app). */
export const ERROR_KINDS = ['protocol', 'tool', 'timeout', 'unknown_tool'] as const;
export type ErrorKind = (typeof ERROR_KINDS)[number];

/** Who made a call: the persona's brain, or the oracle engine probing on its own. */
export const ACTION_ORIGINS = ['brain', 'oracle'] as const;
export type ActionOrigin = (typeof ACTION_ORIGINS)[number];

export const FINDING_CLASSES = [
  'error',
  'slow',
  'wrong_result',
  'lost_write',
  'contract',
  'confusing',
] as const;
export type FindingClass = (typeof FINDING_CLASSES)[number];
export const FINDING_SOURCES = ['oracle', 'llm', 'call'] as const;
export type FindingSource = (typeof FINDING_SOURCES)[number];

/** A persona this runner instance holds a lease on. `leaseToken` is the fencing token of the claim. */
export interface ClaimedPersona {
  userId: string;
  email: string;
  archetype: string;
  systemPrompt: string;
  moduleMix: ModuleMix;
  cadence: TickCadence;
  timezone: string;
  consecutiveFailures: number;
  leaseToken: string;
  /** The database's clock at the moment of the claim. */
  claimedAt: Date;
  /** When the lease lapses unless extended (the database's clock). */
  leaseExpiresAt: Date;
  /** Set when the tick row was opened with the claim (remote claims, POST …/internal/claims). */
  tickId?: string;
  /**
   * The persona's target (targets.id) at the claim; null or absent: the built-in app. Remote runners
   * are never given a persona with a target (claimDue's builtInOnly): they have no database to open
   * the target's secrets from.
   */
  targetId?: string | null;
}

/** The persona's words for a day: at most this many lines, each at most TICK_WORD_MAX_CHARS long. */
export const TICK_WORDS_MAX = 40;
export const TICK_WORD_MAX_CHARS = 500;

/** How a tick came out, as the runner reports it; the fenced finish turns it into the row. */
export interface TickOutcome {
  status: TickEnd;
  toolCalls: number;
  tokensIn: number;
  tokensOut: number;
  costUsd: number;
  /** Of tokensIn, read from / written to the prompt cache (default 0). */
  cacheReadTokens?: number;
  cacheWriteTokens?: number;
  error: string | null;
  ratingError: string | null;
  /** The persona's own words for the day (at most TICK_WORDS_MAX lines of TICK_WORD_MAX_CHARS); default none. */
  words?: string[];
  /** The runner stopped the tick itself (shutdown, paused brain): the persona keeps its place. */
  keepSchedule: boolean;
}

/** What the fenced finish needs of the persona: who, under which lease, and its schedule. */
export type LeasedPersona = Pick<
  ClaimedPersona,
  'userId' | 'leaseToken' | 'cadence' | 'timezone' | 'consecutiveFailures'
>;

/** The persona's next place in the queue after a tick. */
export interface TickSchedule {
  nextDueAt: Date;
  consecutiveFailures: number;
}

/** A fenced finish: the runner's outcome, under the tick's lease, with what it means for the persona. */
export interface TickFinish extends Omit<TickOutcome, 'keepSchedule'> {
  personaId: string;
  leaseToken: string;
  tickId: string;
  /**
   * The persona's new schedule, or undefined to leave next_due_at and consecutive_failures as they
   * are (a tick stopped by a runner shutdown or a paused brain is not the persona's failure).
   */
  schedule?: TickSchedule;
  /** Stamp last_active_at (the persona did something, or completed its day). */
  active: boolean;
}

/** The opened tick row. */
export interface OpenedTick {
  tickId: string;
  startedAt: Date;
}

/** LLM spend of all personas today, by the database's clock (UTC days). */
export interface SpendToday {
  spentUsd: number;
  /** Start of today and of tomorrow (UTC midnight), and the database's now(). */
  dayStart: Date;
  nextDayAt: Date;
  now: Date;
}
