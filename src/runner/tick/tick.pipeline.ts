import { Inject, Injectable, Logger, Optional } from '@nestjs/common';
import { performance } from 'node:perf_hooks';
import { AppConfig } from '../../config/app-config.js';
import type { ClaimedPersona } from '../../personas/schedule/persona-schedule.types.js';
import { clip } from '../../common/text.js';
import { TickBudgetExceededError } from '../brains/brain.js';
import type { Brain, BrainDay, BrainTool, DayContext, PersonaMemory, PersonaToday } from '../brains/brain.js';
import { ratingPrompt, repairPrompt } from '../brains/day-prompts.js';
import { McpToolSession } from './mcp-tool-session.js';
import { LatencyHistory, OracleEngine } from '../oracles/oracle-engine.js';
import { parseFindings, parseRatings } from './rating-parser.js';
import { RunnerEvents } from '../runner.events.js';
import { RunnerMetrics } from '../runner.metrics.js';
import { TickCallRecorder } from './tick-call.recorder.js';
import { TICK_STORE } from './tick-store.js';
import type { TickAudit, TickStore } from './tick-store.js';
import { TICK_ERROR_MAX, abortedByShutdown, classifyFailure } from './tick-failure.js';
import { TickLimit } from './tick-limit.js';
import { TargetResolver } from '../targets/target.resolver.js';
import { ratingSpan, tickSpan } from '../../observability/tick-spans.js';
import { wordsOfDay } from './day-words.js';
import { emptySummary, tickOutcome } from './tick-summary.js';
import type { PlayedDay, TickSummary } from './tick-summary.js';

export { TickShutdownError, TickStoppedError, TickTimeoutError } from './tick-failure.js';
export type { TickSummary } from './tick-summary.js';

class LoginError extends Error {}

/**
 * One persona's tick, one `persona_ticks` row from start to finish: log in over HTTP like any user,
 * open an MCP session to our own /mcp, let the brain play the day (each tool call recorded as it
 * happens), then the rating turn in the same conversation, then the fenced finish. One AbortSignal
 * (tick timeout or runner stop) reaches every await of the network parts.
 */
@Injectable()
export class TickPipeline {
  private readonly logger = new Logger(TickPipeline.name);
  /** Each tool's recent latencies in this process: `slow.relative` compares a call with its own tool. */
  private readonly latency = new LatencyHistory();

  constructor(
    @Inject(AppConfig) private readonly config: AppConfig,
    /**
     * Where ticks are stored, and what they start from (the persona's memory) and count against (the
     * daily budget): this server's services, or a remote server's internal API.
     */
    @Inject(TICK_STORE) private readonly store: TickStore,
    @Inject(RunnerMetrics) private readonly metrics: RunnerMetrics,
    @Inject(RunnerEvents) private readonly events: RunnerEvents,
    /** Which server each persona plays against; absent: the built-in app. */
    @Optional() @Inject(TargetResolver) private readonly targets?: TargetResolver,
  ) {}

  /** open the tick → play the day (calls, ratings) → finish fenced by the lease → count it. */
  run(claim: ClaimedPersona, brain: Brain, baseUrl: string, stop: AbortSignal): Promise<TickSummary> {
    // one trace per tick when tracing is on (src/observability/tick-spans.ts); a plain call otherwise
    const facts = {
      personaId: claim.userId,
      archetype: claim.archetype,
      brain: brain.name,
      model: brain.model,
    };
    return tickSpan(facts, () => this.runTick(claim, brain, baseUrl, stop));
  }

  private async runTick(
    claim: ClaimedPersona,
    brain: Brain,
    baseUrl: string,
    stop: AbortSignal,
  ): Promise<TickSummary> {
    const started = performance.now();
    const opened = await this.store.begin(claim, brain.name, brain.model);
    if (!opened) return emptySummary(claim.userId, brain, { error: 'lease lost before the tick started' });
    const summary = emptySummary(claim.userId, brain, { tickId: opened.tickId });
    this.metrics.inFlight.inc();
    try {
      const { keepSchedule, words, ...played } = await this.play(claim, brain, baseUrl, opened.tickId, stop);
      Object.assign(summary, played);
      summary.recorded = await this.finish(claim, opened.tickId, { ...played, words }, keepSchedule);
    } finally {
      summary.durationMs = Math.round(performance.now() - started);
      this.metrics.inFlight.dec();
      this.metrics.ticks.inc({ status: summary.status, brain: brain.name });
      this.metrics.tickDuration.observe({ status: summary.status }, summary.durationMs / 1000);
    }
    return summary;
  }

  /** The network part of the tick, under one limit; never throws (a failure is classified). */
  private async play(
    claim: ClaimedPersona,
    brain: Brain,
    baseUrl: string,
    tickId: string,
    stop: AbortSignal,
  ): Promise<PlayedDay> {
    const limit = new TickLimit(this.config.tickTimeoutMs, stop);
    const { signal } = limit;
    const audit = this.store.audit(claim);
    let session: McpToolSession | undefined;
    let recorder: TickCallRecorder | undefined;
    let day: BrainDay | undefined;
    let outcome: Pick<PlayedDay, 'status' | 'error' | 'keepSchedule'> = {
      status: 'ok',
      error: null,
      keepSchedule: false,
    };
    let rated: Pick<PlayedDay, 'ratings' | 'ratingError'> = { ratings: 0, ratingError: null };
    try {
      const target = await this.targets?.targetOf(claim);
      if (target && target.kind !== 'built-in') {
        // an external server: its own credentials (the target's headers or environment), no login here
        session = await McpToolSession.openTarget(target, signal, limit.remaining());
      } else {
        const accessToken = await this.login(baseUrl, claim.email, this.store.passwordOf(claim), signal);
        session = await McpToolSession.open(`${baseUrl}/mcp`, accessToken, signal, limit.remaining());
      }
      const tools = await session.listTools(signal, limit.remaining());
      recorder = new TickCallRecorder({
        personaId: claim.userId,
        tickId,
        brain: brain.name,
        tools,
        session,
        signal,
        remaining: () => limit.remaining(),
        // FINDING_SLOW_MS is the built-in app's promise; an external tool is judged by its own calls
        slowMs: target && target.kind !== 'built-in' ? Number.POSITIVE_INFINITY : this.config.findingSlowMs,
        trajectoryMaxBytes: this.config.trajectoryMaxBytes,
        audit,
        metrics: this.metrics,
        events: this.events,
      });
      const memory = await this.store.memoryOf(claim, tickId);
      const context = this.dayContext(claim, tools, signal, recorder, memory);
      const engine = this.oracleEngine(claim, context, recorder);
      day = brain.startDay(withOracles(context, engine));
      await day.play();
      // the day's read-backs, use-after-delete and schema probes, before the persona rates the day
      await engine.settle();
      const [played, calls] = [day, recorder];
      rated = await ratingSpan(
        () => calls.modulesUsed(),
        () => this.rate(played, claim.userId, tickId, calls, signal, audit),
      );
      // TICK_BUDGET_USD ended the day early: what it did and its ratings are kept
      const budgetStop = day.usage().budgetStop;
      if (budgetStop) outcome = budgetExceeded(budgetStop);
    } catch (error) {
      outcome =
        error instanceof TickBudgetExceededError && !signal.aborted
          ? budgetExceeded(error.message)
          : classifyFailure(error, signal);
    } finally {
      limit.dispose();
      await session?.close();
    }
    const usage = day?.usage();
    const played: PlayedDay = {
      ...outcome,
      ...rated,
      toolCalls: recorder?.toolCalls ?? 0,
      tokensIn: usage?.tokensIn ?? 0,
      tokensOut: usage?.tokensOut ?? 0,
      costUsd: usage?.costUsd ?? 0,
      cacheReadTokens: usage?.cacheReadTokens ?? 0,
      cacheWriteTokens: usage?.cacheWriteTokens ?? 0,
      words: recorder ? wordsOfDay(day, recorder) : [],
    };
    if (usage) this.store.countUsage(usage);
    return played;
  }

  /** The oracle engine of one tick: it sees every call the brain makes and probes on its own. */
  private oracleEngine(claim: ClaimedPersona, context: DayContext, recorder: TickCallRecorder): OracleEngine {
    return new OracleEngine({
      tools: context.tools,
      call: (name, input, options) => recorder.call(name, input, { ...options, origin: 'oracle' }),
      report: (finding) => recorder.reportFinding(finding),
      seed: `${this.config.personaSeed}|${claim.email}|${context.today.date}`,
      now: context.today.at,
      timezone: claim.timezone,
      latency: this.latency,
      maxProbes: this.config.oracleMaxProbes,
      slow: { floorMs: this.config.findingSlowRelativeMs, ceilingMs: recorder.slowMs },
      signal: context.signal,
    });
  }

  private dayContext(
    claim: ClaimedPersona,
    tools: BrainTool[],
    signal: AbortSignal,
    recorder: TickCallRecorder,
    memory: PersonaMemory | undefined,
  ): DayContext {
    return {
      persona: {
        id: claim.userId,
        email: claim.email,
        archetype: claim.archetype,
        systemPrompt: claim.systemPrompt,
        moduleMix: claim.moduleMix,
        timezone: claim.timezone,
        cadence: claim.cadence,
      },
      today: personaToday(claim.claimedAt, claim.timezone),
      tools,
      maxTurns: this.config.tickMaxTurns,
      signal,
      callTool: (name, input, options) => recorder.call(name, input, options),
      reportFinding: (finding) => recorder.reportFinding(finding),
      findings: () => recorder.findings(),
      ...(memory ? { memory } : {}),
    };
  }

  /**
   * The rating turn, in the same conversation, with one repair attempt for unparseable output. The
   * same answer may carry the model's findings: each is checked against the calls it really made and
   * stored (source llm); an invalid one is dropped, counted and logged with the reason, never repaired.
   */
  private async rate(
    day: BrainDay,
    personaId: string,
    tickId: string,
    recorder: TickCallRecorder,
    signal: AbortSignal,
    audit: TickAudit,
  ): Promise<Pick<PlayedDay, 'ratings' | 'ratingError'>> {
    const used = recorder.modulesUsed();
    if (used.length === 0) return { ratings: 0, ratingError: null };
    let answer = await day.reply(ratingPrompt(used));
    let parsed = parseRatings(answer, used);
    if (!parsed.ok) {
      answer = await day.reply(repairPrompt(parsed.error, used));
      parsed = parseRatings(answer, used);
    }
    await this.recordReportedFindings(answer, tickId, recorder);
    if (!parsed.ok) {
      return {
        ratings: 0,
        ratingError: clip(`rating_parse_error: ${parsed.error} (after one repair attempt)`, TICK_ERROR_MAX),
      };
    }
    // a tick the shutdown cut writes no ratings (it ends aborted)
    if (abortedByShutdown(signal)) signal.throwIfAborted();
    await audit.recordFeedback(
      personaId,
      parsed.ratings.map((r) => ({ tickId, module: r.module, rating: r.rating, notes: r.notes })),
    );
    return { ratings: parsed.ratings.length, ratingError: null };
  }

  private async recordReportedFindings(
    answer: string,
    tickId: string,
    recorder: TickCallRecorder,
  ): Promise<void> {
    const { findings, dropped } = parseFindings(answer, recorder.callsMade());
    for (const [index, f] of findings.entries()) {
      await recorder.reportFinding({
        seq: f.seq,
        module: f.module,
        tool: f.tool,
        class: f.kind,
        check: `llm.${f.kind}.${index}`,
        expected: 'what the persona expected (its own words follow)',
        got: f.what,
        source: 'llm',
      });
    }
    if (dropped.length > 0) {
      this.metrics.findingsDropped(dropped.length);
      this.logger.warn(
        `tick ${tickId}: dropped ${dropped.length} reported finding(s): ${dropped
          .slice(0, 5)
          .map((d) => `#${d.index} ${d.reason}`)
          .join('; ')}`,
      );
    }
  }

  /** Ends the tick and releases the lease, fenced; false when another runner took the persona over. */
  private async finish(
    claim: ClaimedPersona,
    tickId: string,
    played: Omit<PlayedDay, 'keepSchedule'>,
    keepSchedule: boolean,
  ): Promise<boolean> {
    // the next due time is the store's to compute (PersonaScheduleService.finish, in either adapter)
    const recorded = await this.store.finish(claim, tickId, tickOutcome(played, keepSchedule));
    if (!recorded) {
      this.logger.warn(`tick ${tickId} of ${claim.userId}: lease was taken over; its result was not written`);
    }
    return recorded;
  }

  /** The persona signs in through the real login endpoint over HTTP, like any user. */
  private async login(
    baseUrl: string,
    email: string,
    password: string,
    signal: AbortSignal,
  ): Promise<string> {
    const res = await fetch(`${baseUrl}/api/v1/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email, password }),
      signal,
    });
    const body = (await res.json().catch(() => undefined)) as
      { accessToken?: unknown; message?: unknown } | undefined;
    if (!res.ok || typeof body?.accessToken !== 'string') {
      const why =
        typeof body?.message === 'string'
          ? body.message
          : Array.isArray(body?.message)
            ? body.message.join('; ')
            : res.statusText;
      throw new LoginError(`login failed: ${res.status} ${why}`);
    }
    return body.accessToken;
  }
}

/** The day as the brain sees it, with every call it makes passed to the oracle engine as well. */
function withOracles(context: DayContext, engine: OracleEngine): DayContext {
  const known = new Set(context.tools.map((t) => t.name));
  return {
    ...context,
    callTool: async (name, input, options = {}) => {
      const outcome = await context.callTool(name, input, options);
      if (known.has(name)) await engine.observe(name, input, options, outcome);
      return outcome;
    },
  };
}

/** A tick TICK_BUDGET_USD stopped: not the persona's failure, so it is scheduled as after a good day. */
function budgetExceeded(why: string): Pick<PlayedDay, 'status' | 'error' | 'keepSchedule'> {
  return { status: 'budget_exceeded', error: clip(why, TICK_ERROR_MAX), keepSchedule: false };
}

/** The persona's date, weekday and time on its own wall clock at `at` (an unknown zone reads as UTC). */
export function personaToday(at: Date, timezone: string): PersonaToday {
  let format: Intl.DateTimeFormat;
  try {
    format = new Intl.DateTimeFormat('en-US', {
      timeZone: timezone,
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      weekday: 'long',
      hour: '2-digit',
      minute: '2-digit',
      hourCycle: 'h23',
    });
  } catch {
    return personaToday(at, 'UTC');
  }
  const parts = Object.fromEntries(format.formatToParts(at).map((p) => [p.type, p.value]));
  return {
    date: `${parts.year}-${parts.month}-${parts.day}`,
    weekday: parts.weekday,
    time: `${parts.hour}:${parts.minute}`,
    at,
  };
}
