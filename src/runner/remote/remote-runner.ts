import { Logger } from '@nestjs/common';
import { setTimeout as sleep } from 'node:timers/promises';
import type { ClaimedPersona } from '../../personas/schedule/persona-schedule.types.js';
import type { Brain } from '../brains/brain.js';
import type { BrainSelector } from '../brains/brain.selector.js';
import { TickShutdownError, TickStoppedError } from '../tick/tick-failure.js';
import { emptySummary } from '../tick/tick-summary.js';
import type { TickSummary } from '../tick/tick-summary.js';
import type { TickPipeline } from '../tick/tick.pipeline.js';
import { playClaimPool } from '../claim-pool.js';
import type { InternalApiClient } from './internal-api.client.js';
import { LeaseLostError } from './lease-lost.error.js';

export interface RemoteRunnerOptions {
  /** The server's base URL: the persona logs in and opens /mcp there; the internal API lives there. */
  apiUrl: string;
  /** lease_owner of this runner's claims. */
  runnerId: string;
  /** Ticks played at once (PERSONA_CONCURRENCY). */
  concurrency: number;
  /** Run one claim round (claim until nothing is due, play it all) and return. */
  once: boolean;
  /** Pause between rounds when not `once`. */
  pollMs: number;
  /** After stop(): how long running ticks may go on before they are aborted (RUNNER_SHUTDOWN_GRACE_MS). */
  graceMs: number;
}

/** What a run came to. */
export interface RemoteRunSummary {
  rounds: number;
  ticks: number;
  ok: number;
  results: TickSummary[];
}

interface InFlight {
  controller: AbortController;
  done: Promise<TickSummary>;
}

/**
 * A runner on another host: claim → play with the SAME TickPipeline (its storage behind the HTTP
 * TickStore) → finish, with a heartbeat (extend) while each tick runs. A round claims whenever a slot
 * is free, as the in-process RunnerService does, and never claims a persona twice in one round.
 * stop() stops claiming at once, lets running ticks finish within `graceMs`, then aborts them (they
 * end under their lease, keeping the persona's place in the queue).
 */
export class RemoteRunner {
  private readonly logger = new Logger(RemoteRunner.name);
  private stopping = false;
  private readonly stopped = new AbortController();
  private readonly inFlight = new Map<string, InFlight>();

  constructor(
    private readonly api: InternalApiClient,
    private readonly pipeline: TickPipeline,
    private readonly brains: BrainSelector,
    private readonly o: RemoteRunnerOptions,
  ) {}

  async run(): Promise<RemoteRunSummary> {
    const results: TickSummary[] = [];
    let rounds = 0;
    if (!this.stopping) this.logger.log(`polling ${this.o.apiUrl} as ${this.o.runnerId}`);
    while (!this.stopping) {
      rounds += 1;
      await this.round(results);
      if (this.o.once || this.stopping) break;
      await sleep(this.o.pollMs, undefined, { signal: this.stopped.signal }).catch(() => undefined);
    }
    return {
      rounds,
      ticks: results.filter((r) => r.status !== 'skipped').length,
      ok: results.filter((r) => r.status === 'ok').length,
      results,
    };
  }

  /** Stop claiming; running ticks get `graceMs`, then are aborted. Resolves when none is left. */
  async stop(): Promise<void> {
    if (this.stopping) return;
    this.stopping = true;
    this.stopped.abort();
    const all = () => Promise.allSettled([...this.inFlight.values()].map((t) => t.done));
    if (this.inFlight.size === 0) return;
    this.logger.log(`stopping: waiting up to ${this.o.graceMs} ms for ${this.inFlight.size} tick(s)`);
    const timer = new AbortController();
    await Promise.race([all(), sleep(this.o.graceMs, undefined, { signal: timer.signal }).catch(() => 0)]);
    timer.abort();
    for (const t of this.inFlight.values()) {
      t.controller.abort(
        new TickShutdownError(`remote runner stopping (grace of ${this.o.graceMs} ms over)`),
      );
    }
    await all();
  }

  /** One round: the in-process runner's worker pool (claim-pool.ts), the daily budget re-read as it does. */
  private async round(results: TickSummary[]): Promise<void> {
    await this.brains.refresh(); // DAILY_BUDGET_USD (the server's spend): pauses, or lifts the pause on a new day
    const brain = this.brains.current();
    const ticked: string[] = [];
    await playClaimPool<ClaimedPersona>({
      concurrency: this.o.concurrency,
      mayClaim: async (afterTicks) => {
        if (afterTicks) await this.brains.refresh(); // the ticks that ended spent some
        return !this.stopping && !this.brains.paused();
      },
      claim: async (free) => {
        try {
          const claimed = await this.api.claim(free, {
            runnerId: this.o.runnerId,
            brain: brain.name,
            model: brain.model,
            exclude: ticked,
          });
          ticked.push(...claimed.map((c) => c.userId));
          return claimed;
        } catch (error) {
          // no claim this time; the round goes on while ticks run, and ends when none does
          this.logger.error(`claim failed: ${error instanceof Error ? error.message : String(error)}`);
          return [];
        }
      },
      play: async (claim) => {
        results.push(await this.tick(claim, brain));
      },
    });
  }

  /** One claimed persona's tick with its heartbeat; never throws. */
  private tick(claim: ClaimedPersona, brain: Brain): Promise<TickSummary> {
    const controller = new AbortController();
    const key = `${claim.userId}:${claim.leaseToken}`;
    const heartbeat = this.heartbeat(claim, controller);
    const done = this.pipeline
      .run(claim, brain, this.o.apiUrl, controller.signal)
      .catch((error: unknown): TickSummary => {
        const message = error instanceof Error ? error.message : String(error);
        this.logger.error(`tick of persona ${claim.userId} broke: ${message}`);
        return emptySummary(claim.userId, brain, {
          status: 'failed',
          error: message,
          tickId: claim.tickId ?? null,
        });
      })
      .finally(() => {
        clearInterval(heartbeat);
        if (claim.tickId) this.api.forget(claim.tickId);
        this.inFlight.delete(key);
      });
    this.inFlight.set(key, { controller, done });
    return done;
  }

  /**
   * Extends the lease every third of its length while the tick runs. A 409 means the persona was
   * taken over: the tick is aborted at once (its writes would be refused anyway).
   */
  private heartbeat(claim: ClaimedPersona, controller: AbortController): NodeJS.Timeout {
    const leaseMs = claim.leaseExpiresAt.getTime() - claim.claimedAt.getTime();
    const everyMs = Math.min(Math.max(Math.floor(leaseMs / 3), 500), 60_000);
    let busy = false;
    const timer = setInterval(() => {
      if (busy || !claim.tickId || controller.signal.aborted) return;
      busy = true;
      this.api
        .extend(claim.tickId, claim.leaseToken)
        .catch((error: unknown) => {
          if (error instanceof LeaseLostError) {
            controller.abort(new TickStoppedError(`lease lost: ${error.message}`));
          } else {
            this.logger.warn(`heartbeat of tick ${claim.tickId} failed: ${String(error)}`);
          }
        })
        .finally(() => (busy = false));
    }, everyMs);
    timer.unref();
    return timer;
  }
}
