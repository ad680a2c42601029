import { Inject, Injectable, Logger } from '@nestjs/common';
import { performance } from 'node:perf_hooks';
import { AppConfig } from '../config/app-config.js';
import { PersonaAuditService } from '../personas/persona-audit.service.js';
import { PersonaScheduleService } from '../personas/persona-schedule.service.js';
import type { ClaimedPersona, TickEnd } from '../personas/persona-schedule.types.js';
import { clip } from '../common/text.js';
import type { Brain, BrainDay, BrainTool, DayContext, PersonaToday } from './brains/brain.js';
import { ratingPrompt, repairPrompt } from './brains/day-prompts.js';
import { McpToolSession } from './mcp-tool-session.js';
import { parseFindings, parseRatings } from './rating-parser.js';
import { RunnerEvents } from './runner.events.js';
import { RunnerMetrics } from './runner.metrics.js';
import { TickCallRecorder } from './tick-call.recorder.js';
import { TICK_ERROR_MAX, classifyFailure } from './tick-failure.js';
import { TickLimit } from './tick-limit.js';
import { emptySummary } from './tick-summary.js';
import type { TickSummary } from './tick-summary.js';

export { TickStoppedError, TickTimeoutError } from './tick-failure.js';
export type { TickSummary } from './tick-summary.js';

class LoginError extends Error {}

/** What playing the day came to, before the fenced finish. */
interface PlayedDay {
  status: TickEnd;
  error: string | null;
  keepSchedule: boolean;
  ratings: number;
  ratingError: string | null;
  toolCalls: number;
  tokensIn: number;
  tokensOut: number;
  costUsd: number;
}

/**
 * One persona's tick, one `persona_ticks` row from start to finish: log in over HTTP like any user,
 * open an MCP session to our own /mcp, let the brain play the day (each tool call recorded as it
 * happens), then the rating turn in the same conversation, then the fenced finish. One AbortSignal
 * (tick timeout or runner stop) reaches every await of the network parts.
 */
@Injectable()
export class TickPipeline {
  private readonly logger = new Logger(TickPipeline.name);

  constructor(
    @Inject(AppConfig) private readonly config: AppConfig,
    @Inject(PersonaScheduleService) private readonly schedule: PersonaScheduleService,
    @Inject(PersonaAuditService) private readonly audit: PersonaAuditService,
    @Inject(RunnerMetrics) private readonly metrics: RunnerMetrics,
    @Inject(RunnerEvents) private readonly events: RunnerEvents,
  ) {}

  /** open the tick → play the day (calls, ratings) → finish fenced by the lease → count it. */
  async run(claim: ClaimedPersona, brain: Brain, baseUrl: string, stop: AbortSignal): Promise<TickSummary> {
    const started = performance.now();
    const opened = await this.schedule.beginTick(claim, brain.name, brain.model);
    if (!opened) return emptySummary(claim.userId, brain, { error: 'lease lost before the tick started' });
    const summary = emptySummary(claim.userId, brain, { tickId: opened.tickId });
    this.metrics.inFlight.inc();
    try {
      const { keepSchedule, ...played } = await this.play(claim, brain, baseUrl, opened.tickId, stop);
      Object.assign(summary, played);
      summary.recorded = await this.finish(claim, opened.tickId, played, keepSchedule);
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
      const accessToken = await this.login(baseUrl, claim.email, this.schedule.passwordOf(claim), signal);
      session = await McpToolSession.open(`${baseUrl}/mcp`, accessToken, signal, limit.remaining());
      const tools = await session.listTools(signal, limit.remaining());
      recorder = new TickCallRecorder({
        personaId: claim.userId,
        tickId,
        brain: brain.name,
        tools,
        session,
        signal,
        remaining: () => limit.remaining(),
        slowMs: this.config.findingSlowMs,
        audit: this.audit,
        metrics: this.metrics,
        events: this.events,
      });
      day = brain.startDay(this.dayContext(claim, tools, signal, recorder));
      await day.play();
      rated = await this.rate(day, claim.userId, tickId, recorder);
    } catch (error) {
      outcome = classifyFailure(error, signal);
    } finally {
      limit.dispose();
      await session?.close();
    }
    const usage = day?.usage();
    return {
      ...outcome,
      ...rated,
      toolCalls: recorder?.toolCalls ?? 0,
      tokensIn: usage?.tokensIn ?? 0,
      tokensOut: usage?.tokensOut ?? 0,
      costUsd: usage?.costUsd ?? 0,
    };
  }

  private dayContext(
    claim: ClaimedPersona,
    tools: BrainTool[],
    signal: AbortSignal,
    recorder: TickCallRecorder,
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
    await this.audit.recordFeedback(
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
    const ok = played.status === 'ok';
    const recorded = await this.schedule.finishTick({
      personaId: claim.userId,
      leaseToken: claim.leaseToken,
      tickId,
      status: played.status,
      toolCalls: played.toolCalls,
      tokensIn: played.tokensIn,
      tokensOut: played.tokensOut,
      costUsd: played.costUsd,
      error: played.error,
      ratingError: played.ratingError,
      schedule: keepSchedule ? undefined : await this.schedule.scheduleAfter(claim, ok),
      active: ok || played.toolCalls > 0,
    });
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
