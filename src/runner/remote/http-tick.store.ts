import { Logger } from '@nestjs/common';
import { setTimeout as sleep } from 'node:timers/promises';
import { clip } from '../../common/text.js';
import { derivePersonaPassword, personaSeedSecret } from '../../personas/persona-password.js';
import type {
  ClaimedPersona,
  OpenedTick,
  TickOutcome,
} from '../../personas/schedule/persona-schedule.types.js';
import type { BrainPause } from '../brains/anthropic-llm.client.js';
import type { PersonaMemory } from '../brains/brain.js';
import type { TickAudit, TickStore } from '../tick/tick-store.js';
import { FINISH_RETRY, finishRetryDelay } from './finish-retry.js';
import type { InternalApiClient } from './internal-api.client.js';
import { InternalApiError } from './internal-api.error.js';
import { LeaseLostError } from './lease-lost.error.js';

/**
 * The HTTP adapter of the TickStore port, for a runner on another host: the tick row was opened by
 * the server with the claim, every write goes through the internal API under the claim's lease
 * token, and the server computes the next due time on finish. The persona's memory and the daily
 * budget are the server's too (POST …/ticks/:tickId/memory under the lease, GET …/budget); the
 * tick's spend reaches that budget with the finish (its cost_usd). The persona's password is
 * derived here, from this host's PERSONA_SEED_SECRET: the server never sends one.
 */
export class HttpTickStore implements TickStore {
  private readonly logger = new Logger(HttpTickStore.name);
  /** The daily budget's pause at the last read that answered. */
  private daily?: BrainPause;

  constructor(
    private readonly api: InternalApiClient,
    private readonly seed: { nodeEnv: 'development' | 'production' | 'test'; personaSeedSecret: string },
    /** Waits between finish attempts (the tests' clock may be shorter). */
    private readonly wait: (ms: number) => Promise<unknown> = (ms) => sleep(ms),
  ) {}

  begin(claim: ClaimedPersona): Promise<OpenedTick | null> {
    return Promise.resolve(claim.tickId ? { tickId: claim.tickId, startedAt: claim.claimedAt } : null);
  }

  passwordOf(claim: ClaimedPersona): string {
    return derivePersonaPassword(claim.email, personaSeedSecret(this.seed));
  }

  audit(claim: ClaimedPersona): TickAudit {
    const { leaseToken } = claim;
    return {
      recordActions: (personaId, actions) => this.api.recordActions(personaId, leaseToken, actions),
      recordFeedback: (personaId, feedback) => this.api.recordFeedback(personaId, leaseToken, feedback),
      recordFinding: async (personaId, finding) => {
        await this.api.recordFindings(personaId, leaseToken, [finding]);
      },
    };
  }

  memoryOf(claim: ClaimedPersona, tickId: string): Promise<PersonaMemory | undefined> {
    return this.api.memory(tickId, claim.leaseToken);
  }

  async dailyBudget(): Promise<BrainPause | undefined> {
    try {
      const budget = await this.api.dailyBudget();
      if (budget.reached && budget.reason) {
        if (!this.daily) this.logger.warn(`anthropic brain paused: ${budget.reason}`);
        this.daily = { reason: budget.reason, since: this.daily?.since ?? new Date() };
      } else if (this.daily) {
        this.logger.log('anthropic brain resumed: the daily budget applies afresh');
        this.daily = undefined;
      }
    } catch (error) {
      // keep the last state: a failed read neither pauses nor resumes
      this.logger.warn(`could not read the daily budget: ${describe(error)}`);
    }
    return this.daily;
  }

  /** The server counts the spend from the finish (the tick row's tokens and cost): nothing to do here. */
  countUsage(): void {}

  /**
   * The fenced finish, retried on a transient failure (no answer, 429, 5xx) by finishRetryDelay:
   * at most 4 attempts within 10 s, each only while the lease is held (extended between attempts).
   * A 409 is never retried: the lease was taken over (or, on a retry, the server answers a repeat of
   * the finish it already wrote as it answered the first). Any other 4xx is not retried either.
   */
  async finish(claim: ClaimedPersona, tickId: string, outcome: TickOutcome): Promise<boolean> {
    const started = Date.now();
    try {
      for (let attempt = 1; ; attempt += 1) {
        try {
          await this.api.finish(tickId, claim.leaseToken, outcome);
          return true;
        } catch (error) {
          if (error instanceof LeaseLostError) return false;
          if (!(error instanceof InternalApiError)) throw error;
          const at = { elapsedMs: Date.now() - started, leaseLeftMs: this.api.leaseLeftMs(tickId) };
          const delay = finishRetryDelay(error, attempt, at);
          if (delay === null) throw error;
          this.logger.warn(
            `finish of tick ${tickId} failed (${describe(error)}); attempt ${attempt + 1}/${FINISH_RETRY.maxAttempts} in ${delay} ms`,
          );
          await this.wait(delay);
          // keep the lease while the finish waits (a stale one shows in the next finish's answer)
          await this.api.extend(tickId, claim.leaseToken).catch(() => undefined);
        }
      }
    } finally {
      this.api.forget(tickId);
    }
  }
}

function describe(error: unknown): string {
  return clip(error instanceof Error ? error.message : String(error), 300);
}
