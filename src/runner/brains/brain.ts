import type {
  ErrorKind,
  FindingClass,
  FindingSource,
  ModuleMix,
  TickCadence,
} from '../../personas/schedule/persona-schedule.types.js';

import type { PersonaMemory } from '../../personas/audit/persona-memory.service.js';
import type { PublishedToolSemantics } from '../../tool-contract/tool-semantics.js';

export { FINDING_CLASSES } from '../../personas/schedule/persona-schedule.types.js';
/** The memory of earlier days (`text` within PERSONA_MEMORY_TOKENS, `days` oldest first), from the persona's own records. */
export type { PersonaMemory, PersonaMemoryDay } from '../../personas/audit/persona-memory.service.js';
export type { FindingClass, FindingSource } from '../../personas/schedule/persona-schedule.types.js';

export const BRAIN_NAMES = ['anthropic', 'scripted'] as const;
export type BrainName = (typeof BRAIN_NAMES)[number];

/** A tool as the brain sees it: the real (dotted) name, its module and what tools/list declares. */
export interface BrainTool {
  name: string;
  module: string;
  description: string;
  inputSchema: Record<string, unknown>;
  /** The declared output schema (JSON Schema), when the server publishes one. */
  outputSchema?: Record<string, unknown>;
  /** MCP tool annotations as published (readOnlyHint, destructiveHint, idempotentHint, openWorldHint). */
  annotations?: ToolAnnotations;
  /** The tool's semantics: published under `_meta["mana/semantics"]`, or from a semantics file. */
  semantics?: PublishedToolSemantics;
}

export interface ToolAnnotations {
  title?: string;
  readOnlyHint?: boolean;
  destructiveHint?: boolean;
  idempotentHint?: boolean;
  openWorldHint?: boolean;
}

/** What came back from one tool call (already recorded in the audit trail). */
export interface ToolOutcome {
  ok: boolean;
  errorKind: ErrorKind | null;
  /**
   * The code the server attached to an error result (`_meta["mana/error"].code`, e.g.
   * `OUTPUT_CONTRACT` when its own output validation refused the answer); null when none.
   */
  errorCode?: string | null;
  /** The tool's text content, or the error message. */
  text: string;
  /** The tool's structuredContent, or the text parsed as JSON when it is JSON; undefined otherwise. */
  data: unknown;
  latencyMs: number;
  /** The call's place in the tick (persona_actions.seq); findings point at it. */
  seq: number;
}

/**
 * Something the persona noticed was wrong, tied to the call that showed it. `expected` and `got` are
 * short (clipped to 200 characters) and hold only what this persona sent or was shown in its own space.
 */
export interface FindingReport {
  /** seq of the call that showed it (ToolOutcome.seq); null when no single call did. */
  seq: number | null;
  module: string;
  tool: string;
  class: FindingClass;
  /** The check's stable name, e.g. `read-your-writes.list`, `state.completed-stays-done`. */
  check: string;
  expected: string;
  got: string;
  source: FindingSource;
  /** The persona caused it with its own invalid input: kept apart from the app's findings. */
  personaMistake?: boolean;
}

export interface PersonaProfile {
  id: string;
  email: string;
  archetype: string;
  systemPrompt: string;
  moduleMix: ModuleMix;
  timezone: string;
  cadence: TickCadence;
}

/** The persona's "today", in its own timezone, by the database's clock. */
export interface PersonaToday {
  /** YYYY-MM-DD */
  date: string;
  weekday: string;
  /** HH:MM, 24 h */
  time: string;
  /** The instant itself (database clock). */
  at: Date;
}

export interface ToolCallOptions {
  /** Act in this space (sent as X-Mana-Space); default the persona's personal space. */
  spaceId?: string;
  /**
   * The persona means to send something wrong (the newbie's mistakes): if the call fails, that is
   * the persona's mistake, not the app's, and its call finding is marked `personaMistake`.
   */
  expectError?: boolean;
  /**
   * A second look (a call by id after a row went missing) whose failure is the evidence of a finding
   * the brain reports itself, or a try at a tool known only from its schema (a refusal of made-up
   * input says nothing): the failure is not recorded as a separate `error` finding.
   */
  probe?: boolean;
  /** Who makes the call: the brain (default) or the oracle engine's own probe (audited as such). */
  origin?: 'brain' | 'oracle';
}

/** Everything a brain gets to play one day. */
export interface DayContext {
  persona: PersonaProfile;
  today: PersonaToday;
  tools: BrainTool[];
  maxTurns: number;
  /** Aborted on the tick timeout or a runner stop; pass it to every await. */
  signal: AbortSignal;
  /** Calls a real tool over MCP. The call is in the audit trail before this resolves. */
  callTool(name: string, input: Record<string, unknown>, options?: ToolCallOptions): Promise<ToolOutcome>;
  /**
   * Records a finding (persona_findings) before it resolves. Id `{tickId}-{seq}-{check}`: reporting
   * the same check for the same call twice writes one row. Never throws for a duplicate.
   */
  reportFinding(finding: FindingReport): Promise<void>;
  /**
   * Every finding of this tick so far, whoever reported it (the oracle engine, the call itself, the
   * brain): the scripted brain's ratings follow them.
   */
  findings(): readonly FindingReport[];
  /** The persona's own earlier days (PersonaMemoryService); absent on its first day. */
  memory?: PersonaMemory;
}

export interface BrainUsage {
  /** All input tokens: uncached + cache writes + cache reads. */
  tokensIn: number;
  tokensOut: number;
  costUsd: number;
  /** Of tokensIn, read from the prompt cache (billed at ANTHROPIC_CACHE_READ_MULTIPLIER). */
  cacheReadTokens?: number;
  /** Of tokensIn, written to the prompt cache (billed at ANTHROPIC_CACHE_WRITE_MULTIPLIER). */
  cacheWriteTokens?: number;
  /** Set when TICK_BUDGET_USD stopped the day before its end: the tick ends `budget_exceeded`. */
  budgetStop?: string;
}

/** One persona's day with a brain: the day, then the rating turn(s) in the same conversation. */
export interface BrainDay {
  play(): Promise<void>;
  /** Sends `prompt` as the next message of the same conversation and answers the raw reply. */
  reply(prompt: string): Promise<string>;
  usage(): BrainUsage;
  /**
   * The persona's own words for the day, when the brain has some (an LLM's text turns); without
   * them the day is told from what the persona did (day-words.ts).
   */
  words?(): string[];
}

export interface Brain {
  readonly name: BrainName;
  readonly model: string | null;
  startDay(context: DayContext): BrainDay;
}

/** The brain cannot be used until an admin resumes it (bad key, spend limit). */
export class BrainPausedError extends Error {
  constructor(
    readonly brain: BrainName,
    readonly reason: string,
  ) {
    super(`${brain} brain is paused: ${reason}`);
    this.name = 'BrainPausedError';
  }
}

/** The next LLM call would pass TICK_BUDGET_USD: the tick ends `budget_exceeded`, its record so far kept. */
export class TickBudgetExceededError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'TickBudgetExceededError';
  }
}

/** The LLM call failed for good (retries exhausted or a non-retryable answer). */
export class LlmCallError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'LlmCallError';
  }
}

/**
 * The module a tool belongs to: the part of its name before the dot, as a module name (lower case
 * letters, digits and '_'; a third-party server's `get-sum` is module `get_sum`).
 */
export function toolModule(toolName: string): string {
  const dot = toolName.indexOf('.');
  const head = dot > 0 ? toolName.slice(0, dot) : toolName;
  const name = head
    .toLowerCase()
    .replace(/[^a-z0-9_]+/g, '_')
    .replace(/^[^a-z]+/, '')
    .slice(0, 64);
  return name || 'tools';
}
