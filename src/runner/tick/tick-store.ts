import type { ActionInput, FeedbackInput, FindingInput } from '../../personas/persona-records.js';
import type { BrainPause } from '../brains/anthropic-llm.client.js';
import type { BrainUsage, PersonaMemory } from '../brains/brain.js';
import type {
  ClaimedPersona,
  OpenedTick,
  TickOutcome,
} from '../../personas/schedule/persona-schedule.types.js';

/**
 * The audit writes of one tick, bound to its lease: every write is fenced by the claim's lease token,
 * so a runner whose lease was taken over has its writes refused (LeaseLostError / 409).
 */
export interface TickAudit {
  recordActions(personaId: string, actions: ActionInput[]): Promise<unknown>;
  recordFeedback(personaId: string, feedback: FeedbackInput[]): Promise<unknown>;
  recordFinding(personaId: string, finding: FindingInput): Promise<void>;
}

/**
 * The port between the tick pipeline and where its ticks are stored. Two adapters:
 * - InProcessTickStore: this server's own services (PersonaScheduleService, PersonaAuditService);
 * - HttpTickStore (src/runner/remote/): the internal API of a server on another host.
 * The pipeline is the same for both; only the storage differs. So is what a tick starts from (the
 * persona's memory of earlier days) and the daily budget it plays under: both are the server's.
 */
export interface TickStore {
  /** Opens the claim's tick row (or answers the one opened with a remote claim); null once the lease is lost. */
  begin(claim: ClaimedPersona, brain: string, model: string | null): Promise<OpenedTick | null>;
  /** The password the persona signs in with (derived from its email and PERSONA_SEED_SECRET). */
  passwordOf(claim: ClaimedPersona): string;
  /** The tick's fenced audit writes. */
  audit(claim: ClaimedPersona): TickAudit;
  /** Ends the tick under its lease (the next due time is the server's); false when it was taken over. */
  finish(claim: ClaimedPersona, tickId: string, outcome: TickOutcome): Promise<boolean>;
  /** The persona's memory of its earlier days (PersonaMemoryService, this tick left out); undefined on a first day. */
  memoryOf(claim: ClaimedPersona, tickId: string): Promise<PersonaMemory | undefined>;
  /**
   * DAILY_BUDGET_USD re-read now from the server's spend of all runners: the pause while it is
   * reached (a brain that spends claims nothing then), undefined otherwise. A failed read keeps the
   * last answer.
   */
  dailyBudget(): Promise<BrainPause | undefined>;
  /**
   * A played tick's LLM usage, for the LLM metrics where they are kept (the server's /metrics). The
   * spend itself reaches the daily budget with the finish: it is the tick row's cost_usd.
   */
  countUsage(usage: BrainUsage): void;
}

/** Nest injection token of the TickStore the pipeline uses. */
export const TICK_STORE = Symbol('TICK_STORE');
