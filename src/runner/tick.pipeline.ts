import { Inject, Injectable, Logger } from '@nestjs/common';
import { performance } from 'node:perf_hooks';
import { AppConfig } from '../config/app-config.js';
import { nextDueAt } from '../personas/due-rules.js';
import { derivePersonaPassword, personaSeedSecret } from '../personas/persona-password.js';
import type { TickStatus } from '../personas/persona-tick.entity.js';
import { PersonasService } from '../personas/personas.service.js';
import { BrainPausedError } from './brains/brain.js';
import type {
  Brain,
  BrainDay,
  BrainTool,
  DayContext,
  PersonaToday,
  ToolCallOptions,
  ToolOutcome,
} from './brains/brain.js';
import { ratingPrompt, repairPrompt } from './brains/day-prompts.js';
import { inputHash } from './canonical-json.js';
import { McpToolSession, clip, describeReason } from './mcp-tool-session.js';
import { PersonaClaimsRepository } from './persona-claims.repository.js';
import type { ClaimedPersona } from './persona-claims.repository.js';
import { parseRatings } from './rating-parser.js';
import { RunnerEvents } from './runner.events.js';
import { RunnerMetrics } from './runner.metrics.js';

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

class LoginError extends Error {}

/** What one tick came to (the admin "run now" answers this; runDue collects them). */
export interface TickSummary {
  tickId: string | null;
  personaId: string;
  status: Exclude<TickStatus, 'running'> | 'skipped';
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
    @Inject(PersonaClaimsRepository) private readonly claims: PersonaClaimsRepository,
    @Inject(PersonasService) private readonly personas: PersonasService,
    @Inject(RunnerMetrics) private readonly metrics: RunnerMetrics,
    @Inject(RunnerEvents) private readonly events: RunnerEvents,
  ) {}

  async run(claim: ClaimedPersona, brain: Brain, baseUrl: string, stop: AbortSignal): Promise<TickSummary> {
    const started = performance.now();
    const summary: TickSummary = {
      tickId: null,
      personaId: claim.userId,
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
    };
    const opened = await this.claims.beginTick(claim, brain.name, brain.model);
    if (!opened) {
      summary.error = 'lease lost before the tick started';
      return summary;
    }
    const tickId = opened.tickId;
    summary.tickId = tickId;
    this.metrics.inFlight.inc();

    const controller = new AbortController();
    const signal = controller.signal;
    const deadline = Date.now() + this.config.tickTimeoutMs;
    const timer = setTimeout(
      () => controller.abort(new TickTimeoutError(this.config.tickTimeoutMs)),
      this.config.tickTimeoutMs,
    );
    const onStop = () =>
      controller.abort(
        stop.reason instanceof Error ? stop.reason : new TickStoppedError(describeReason(stop.reason)),
      );
    if (stop.aborted) onStop();
    else stop.addEventListener('abort', onStop, { once: true });
    const remaining = () => Math.max(1, deadline - Date.now());

    let session: McpToolSession | undefined;
    let day: BrainDay | undefined;
    let keepSchedule = false;
    let seq = 0;
    const modulesUsed = new Set<string>();
    try {
      const password = derivePersonaPassword(claim.email, personaSeedSecret(this.config));
      const accessToken = await this.login(baseUrl, claim.email, password, signal);
      session = await McpToolSession.open(`${baseUrl}/mcp`, accessToken, signal, remaining());
      const tools = await session.listTools(signal, remaining());
      const known = new Map<string, BrainTool>(tools.map((t) => [t.name, t]));
      const mcp = session;

      const callTool = async (
        name: string,
        input: Record<string, unknown>,
        options: ToolCallOptions = {},
      ): Promise<ToolOutcome> => {
        signal.throwIfAborted();
        const tool = known.get(name);
        if (!tool) {
          // a name the model made up: nothing reaches the app, so nothing goes in the audit trail
          return {
            ok: false,
            errorKind: 'tool',
            text: `There is no tool named "${name}".`,
            data: undefined,
            latencyMs: 0,
          };
        }
        seq += 1;
        const callSeq = seq;
        const t0 = performance.now();
        const result = await mcp.call(name, input, signal, remaining(), options.spaceId);
        const latencyMs = Math.round(performance.now() - t0);
        await this.personas.recordActions(claim.userId, [
          {
            tickId,
            seq: callSeq,
            toolName: name,
            inputHash: inputHash(input),
            result: result.ok ? 'ok' : 'error',
            errorKind: result.errorKind,
            errorMessage: result.ok ? null : clip(result.text),
            latencyMs,
          },
        ]);
        summary.toolCalls += 1;
        modulesUsed.add(tool.module);
        this.metrics.toolCalls.inc({ outcome: result.errorKind ?? 'ok' });
        this.events.emitAction({
          personaId: claim.userId,
          tickId,
          seq: callSeq,
          toolName: name,
          ok: result.ok,
        });
        signal.throwIfAborted();
        return { ...result, latencyMs };
      };

      const context: DayContext = {
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
        callTool,
      };
      day = brain.startDay(context);
      await day.play();

      const used = [...modulesUsed].sort();
      if (used.length > 0) {
        let parsed = parseRatings(await day.reply(ratingPrompt(used)), used);
        if (!parsed.ok) parsed = parseRatings(await day.reply(repairPrompt(parsed.error, used)), used);
        if (parsed.ok) {
          await this.personas.recordFeedback(
            claim.userId,
            parsed.ratings.map((r) => ({ tickId, module: r.module, rating: r.rating, notes: r.notes })),
          );
          summary.ratings = parsed.ratings.length;
        } else {
          summary.ratingError = clip(`rating_parse_error: ${parsed.error} (after one repair attempt)`);
        }
      }
      summary.status = 'ok';
    } catch (error) {
      if (signal.aborted && signal.reason instanceof TickTimeoutError) {
        summary.status = 'timed_out';
        summary.error = signal.reason.message;
      } else if (signal.aborted) {
        summary.status = 'failed';
        summary.error = clip(
          signal.reason instanceof TickStoppedError
            ? signal.reason.message
            : `aborted: ${describeReason(signal.reason)}`,
        );
        // the persona did nothing wrong: it keeps its place in the queue
        keepSchedule = true;
      } else if (error instanceof BrainPausedError) {
        summary.status = 'failed';
        summary.error = clip(error.message);
        keepSchedule = true;
      } else {
        summary.status = 'failed';
        summary.error = clip(error instanceof Error ? error.message : String(error));
      }
    } finally {
      clearTimeout(timer);
      stop.removeEventListener('abort', onStop);
      await session?.close();
    }

    const usage = day?.usage();
    summary.tokensIn = usage?.tokensIn ?? 0;
    summary.tokensOut = usage?.tokensOut ?? 0;
    summary.costUsd = usage?.costUsd ?? 0;
    const ok = summary.status === 'ok';
    const failures = ok ? 0 : claim.consecutiveFailures + 1;
    try {
      const now = await this.claims.now();
      summary.recorded = await this.claims.finishTick({
        personaId: claim.userId,
        leaseToken: claim.leaseToken,
        tickId,
        status: summary.status as Exclude<TickStatus, 'running'>,
        toolCalls: summary.toolCalls,
        tokensIn: summary.tokensIn,
        tokensOut: summary.tokensOut,
        costUsd: summary.costUsd,
        error: summary.error,
        ratingError: summary.ratingError,
        schedule: keepSchedule
          ? undefined
          : {
              nextDueAt: nextDueAt(claim.cadence, claim.timezone, now, failures),
              consecutiveFailures: failures,
            },
        active: ok || summary.toolCalls > 0,
      });
      if (!summary.recorded) {
        this.logger.warn(
          `tick ${tickId} of ${claim.userId}: lease was taken over; its result was not written`,
        );
      }
    } finally {
      summary.durationMs = Math.round(performance.now() - started);
      this.metrics.inFlight.dec();
      this.metrics.ticks.inc({ status: summary.status, brain: brain.name });
      this.metrics.tickDuration.observe({ status: summary.status }, summary.durationMs / 1000);
    }
    return summary;
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
