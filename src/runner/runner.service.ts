import { Inject, Injectable, Logger, Optional } from '@nestjs/common';
import type { BeforeApplicationShutdown, OnModuleDestroy, OnModuleInit } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import { setTimeout as sleep } from 'node:timers/promises';
import type { AddressInfo } from 'node:net';
import { AppConfig } from '../config/app-config.js';
import { HealthContributors } from '../observability/health-contributors.js';
import type { Brain } from './brains/brain.js';
import { BrainSelector } from './brains/brain.selector.js';
import { PersonaScheduleService } from '../personas/schedule/persona-schedule.service.js';
import type { ClaimedPersona } from '../personas/schedule/persona-schedule.types.js';
import { RunnerErrorCode, RunnerException } from './runner.exception.js';
import { playClaimPool } from './claim-pool.js';
import type { RunSummaryDto, RunnerStateDto } from './runner.dto.js';
import { McpSessionManager } from '../tools/mcp/mcp-session.manager.js';
import { TickShutdownError, TickStoppedError } from './tick/tick-failure.js';
import { emptySummary } from './tick/tick-summary.js';
import type { TickSummary } from './tick/tick-summary.js';
import { TickPipeline } from './tick/tick.pipeline.js';

/** Injection token for a fixed runner instance id (otherwise host:pid:random). */
export const RUNNER_INSTANCE_ID = Symbol('RUNNER_INSTANCE_ID');

/** One firing: the counts, plus every tick's summary. */
export interface RunSummary extends RunSummaryDto {
  results: TickSummary[];
}

interface InFlightTick {
  controller: AbortController;
  done: Promise<TickSummary>;
}

/**
 * Runs due personas. Each firing (`runDue`, called by the scheduler or directly) keeps a pool of
 * PERSONA_CONCURRENCY workers busy: whenever a slot is free it claims as many due personas as there
 * are free slots (one committed statement, see PersonaScheduleService), so leases are only taken
 * when a worker can start right away, and one slow tick never holds back a whole batch. The firing
 * ends when nothing is due and nothing is running. Firings never overlap within one instance.
 */
@Injectable()
export class RunnerService implements OnModuleInit, OnModuleDestroy, BeforeApplicationShutdown {
  private readonly logger = new Logger(RunnerService.name);
  readonly instanceId: string;
  private paused: boolean;
  private stopping = false;
  private running?: Promise<RunSummary>;
  private readonly inFlight = new Map<string, InFlightTick>();
  private lastRun?: RunSummary;
  /** The shutdown drain (grace period, then abort), started by the first shutdown hook. */
  private shutdown?: Promise<void>;
  /** Set once the grace period is over: a tick that starts now is aborted at once. */
  private graceOver = false;

  constructor(
    @Inject(AppConfig) private readonly config: AppConfig,
    @Inject(PersonaScheduleService) private readonly claims: PersonaScheduleService,
    @Inject(TickPipeline) private readonly pipeline: TickPipeline,
    @Inject(BrainSelector) private readonly brains: BrainSelector,
    @Inject(HealthContributors) private readonly health: HealthContributors,
    @Inject(HttpAdapterHost) private readonly http: HttpAdapterHost,
    @Optional() @Inject(RUNNER_INSTANCE_ID) instanceId?: string,
    @Optional() @Inject(McpSessionManager) private readonly sessions?: McpSessionManager,
  ) {
    this.instanceId = instanceId ?? `${hostname()}:${process.pid}:${randomUUID().slice(0, 8)}`;
    this.paused = config.runnerPaused;
  }

  onModuleInit(): void {
    this.health.add(() => {
      const s = this.state();
      return {
        runner: {
          status: 'up',
          enabled: s.enabled,
          paused: s.paused,
          inFlight: s.inFlight,
          lastRunAt: s.lastRunAt,
          brain: s.brain.name,
          brainPaused: s.brain.paused,
        },
      };
    });
  }

  /** One firing. A call while a firing is running answers that firing (they never overlap). */
  runDue(): Promise<RunSummary> {
    this.running ??= this.drain().finally(() => {
      this.running = undefined;
    });
    return this.running;
  }

  /** Admin "run now": claims this persona like a firing would (409 while leased) and waits for the tick. */
  async runNow(personaId: string): Promise<TickSummary> {
    if (this.stopping)
      throw new RunnerException(RunnerErrorCode.SHUTTING_DOWN, 'the runner is shutting down');
    const brain = this.brains.current();
    await this.brains.refresh();
    const pause = this.brains.paused();
    if (pause) {
      throw new RunnerException(
        RunnerErrorCode.BRAIN_PAUSED,
        `the ${brain.name} brain is paused (${pause.reason}); resume the runner first`,
      );
    }
    const claim = await this.claims.claimOne(this.instanceId, this.config.leaseMs, personaId);
    if (claim === 'missing') {
      throw new RunnerException(RunnerErrorCode.PERSONA_NOT_FOUND, `no persona with id ${personaId}`);
    }
    if (claim === 'leased') {
      throw new RunnerException(
        RunnerErrorCode.PERSONA_LEASED,
        `persona ${personaId} is being ticked right now (its lease is held); try again when it ends`,
      );
    }
    return this.tick(claim, brain, this.baseUrl());
  }

  pause(): RunnerStateDto {
    if (!this.paused) this.logger.log('runner paused: no new ticks until resumed');
    this.paused = true;
    return this.state();
  }

  /** Resumes claiming, and un-pauses a brain that paused itself (after the key or budget was fixed). */
  resume(): RunnerStateDto {
    const brainWasPaused = this.brains.resume();
    if (this.paused || brainWasPaused) this.logger.log('runner resumed');
    this.paused = false;
    return this.state();
  }

  /** Aborts every tick in flight in this instance; each ends failed with the reason, its lease released. */
  abortInFlight(reason: string): number {
    for (const tick of this.inFlight.values()) tick.controller.abort(new TickStoppedError(reason));
    return this.inFlight.size;
  }

  state(): RunnerStateDto {
    const pause = this.brains.paused();
    const brain = this.brains.current();
    const last = this.lastRun;
    return {
      instanceId: this.instanceId,
      enabled: this.config.runnerEnabled,
      paused: this.paused,
      stopping: this.stopping,
      cron: this.config.runnerCron,
      concurrency: this.config.personaConcurrency,
      inFlight: this.inFlight.size,
      lastRunAt: last?.startedAt ?? null,
      lastRunSummary: last ? withoutResults(last) : null,
      brain: {
        name: brain.name,
        model: brain.model,
        paused: pause !== undefined,
        pausedReason: pause?.reason ?? null,
        pausedSince: pause?.since.toISOString() ?? null,
      },
    };
  }

  /**
   * Graceful shutdown, step 1 (Nest runs every onModuleDestroy before any beforeApplicationShutdown):
   * stop claiming, start the drain, and keep this server's /mcp sessions open until it is over, so
   * in-flight ticks never see their own session vanish (that used to land in the audit as protocol
   * errors).
   */
  onModuleDestroy(): void {
    this.stopping = true;
    this.shutdown ??= this.drainForShutdown();
    this.sessions?.holdOpenDuringShutdown(this.shutdown);
  }

  /** Graceful shutdown, step 2: wait for the drain (at most RUNNER_SHUTDOWN_GRACE_MS plus the abort). */
  async beforeApplicationShutdown(): Promise<void> {
    this.stopping = true;
    await (this.shutdown ??= this.drainForShutdown());
  }

  /**
   * Gives running ticks RUNNER_SHUTDOWN_GRACE_MS to finish, then aborts the rest: each ends
   * `aborted` (TickShutdownError), writes no ratings and no audit row for the call it cut, keeps
   * its place in the queue, and releases its lease.
   */
  private async drainForShutdown(): Promise<void> {
    const all = () => Promise.allSettled([...this.inFlight.values()].map((t) => t.done));
    const grace = this.config.shutdownGraceMs;
    if (this.inFlight.size > 0) {
      this.logger.log(`shutting down: waiting up to ${grace} ms for ${this.inFlight.size} tick(s)`);
      const timer = new AbortController();
      await Promise.race([all(), sleep(grace, undefined, { signal: timer.signal }).catch(() => undefined)]);
      timer.abort();
    }
    this.graceOver = true;
    const reason = `runner shutting down (grace period of ${grace} ms over)`;
    for (const tick of this.inFlight.values()) tick.controller.abort(new TickShutdownError(reason));
    const left = this.inFlight.size;
    if (left > 0) this.logger.warn(`aborted ${left} tick(s) still running after the grace period`);
    await all();
    // a claim that was on its way when the stop came: its tick starts aborted and ends at once
    await this.running?.catch(() => undefined);
    await all();
  }

  private async drain(): Promise<RunSummary> {
    const startedAt = new Date();
    const results: TickSummary[] = [];
    await this.brains.refresh(); // DAILY_BUDGET_USD: pauses, or lifts the pause on a new day
    const skippedReason = this.whyNotClaim();
    if (!skippedReason) {
      const brain = this.brains.current();
      const baseUrl = this.baseUrl();
      const ticked: string[] = [];
      await playClaimPool<ClaimedPersona>({
        concurrency: this.config.personaConcurrency,
        mayClaim: async (afterTicks) => {
          if (afterTicks) await this.brains.refresh(); // the ticks that ended spent some
          return !this.whyNotClaim();
        },
        claim: async (free) => {
          const claimed = await this.claims.claimDue(this.instanceId, this.config.leaseMs, free, ticked);
          ticked.push(...claimed.map((c) => c.userId));
          return claimed;
        },
        play: async (claim) => {
          results.push(await this.tick(claim, brain, baseUrl));
        },
      });
    }
    const summary = summarize(this.instanceId, startedAt, results, skippedReason);
    this.lastRun = summary;
    return summary;
  }

  private whyNotClaim(): string | undefined {
    if (this.stopping) return 'stopping';
    if (this.paused) return 'paused';
    if (this.brains.paused()) return 'brain-paused';
    return undefined;
  }

  /** Runs one claimed persona's tick; never throws (a failure becomes a failed summary). */
  private tick(claim: ClaimedPersona, brain: Brain, baseUrl: string): Promise<TickSummary> {
    const controller = new AbortController();
    if (this.graceOver) controller.abort(new TickShutdownError('runner shutting down'));
    const key = `${claim.userId}:${claim.leaseToken}`;
    const done = this.pipeline
      .run(claim, brain, baseUrl, controller.signal)
      .catch(async (error: unknown): Promise<TickSummary> => {
        const message = error instanceof Error ? error.message : String(error);
        this.logger.error(`tick of persona ${claim.userId} broke: ${message}`);
        await this.claims.release(claim.userId, claim.leaseToken).catch(() => undefined);
        return emptySummary(claim.userId, brain, { status: 'failed', error: message });
      })
      .finally(() => this.inFlight.delete(key));
    this.inFlight.set(key, { controller, done });
    return done;
  }

  /** This server's own address, as it listens now (the persona logs in and opens /mcp here). */
  baseUrl(): string {
    const server = this.http.httpAdapter?.getHttpServer() as
      { address(): AddressInfo | string | null } | undefined;
    const address = server?.address();
    const port = address && typeof address === 'object' ? address.port : this.config.port;
    return this.config.publicUrl(port);
  }
}

function summarize(
  instanceId: string,
  startedAt: Date,
  results: TickSummary[],
  skippedReason: string | undefined,
): RunSummary {
  const finishedAt = new Date();
  const count = (status: string) => results.filter((r) => r.status === status).length;
  return {
    instanceId,
    startedAt: startedAt.toISOString(),
    finishedAt: finishedAt.toISOString(),
    durationMs: finishedAt.getTime() - startedAt.getTime(),
    ticks: results.filter((r) => r.status !== 'skipped').length,
    ok: count('ok'),
    failed: count('failed'),
    timedOut: count('timed_out'),
    toolCalls: results.reduce((sum, r) => sum + r.toolCalls, 0),
    ...(skippedReason ? { skippedReason } : {}),
    results,
  };
}

function withoutResults(summary: RunSummary): RunSummaryDto {
  const { results: _results, ...counts } = summary;
  return counts;
}
