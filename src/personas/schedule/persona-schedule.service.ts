import { Inject, Injectable } from '@nestjs/common';
import { AppConfig } from '../../config/app-config.js';
import { nextDueAt } from './due-rules.js';
import { BUDGET_FREE_BRAINS, dailyBudgetCheck } from './daily-budget.js';
import type { DailyBudgetCheck } from './daily-budget.js';
import { derivePersonaPassword, personaSeedSecret } from '../persona-password.js';
import { PersonaScheduleRepository } from './persona-schedule.repository.js';
import { PersonaErrorCode, PersonaException } from '../personas.exception.js';
import type {
  ClaimedPersona,
  LeasedPersona,
  OpenedTick,
  SpendToday,
  TickFinish,
  TickOutcome,
  TickSchedule,
} from './persona-schedule.types.js';

/** A remote runner's claim: the persona, its lease and the tick row opened for it. */
export type ClaimedTick = ClaimedPersona & { tickId: string };

/** What a finished tick answers. */
export interface FinishedTick {
  tickId: string;
  status: TickOutcome['status'];
  /** The persona's next due time (unchanged when the tick kept its schedule). */
  nextDueAt: Date | null;
}

/**
 * When personas tick and who holds them: claims with leases, the tick row, the fenced finish. The
 * runner (in this process) asks this service; the statements and their reasons live in
 * PersonaScheduleRepository. Every call is one committed statement: none is held across a tick.
 */
@Injectable()
export class PersonaScheduleService {
  constructor(
    @Inject(PersonaScheduleRepository) private readonly repo: PersonaScheduleRepository,
    @Inject(AppConfig) private readonly config: AppConfig,
  ) {}

  /** Claims up to `limit` due personas for `owner` (leased for `leaseMs`), skipping `exclude`. */
  claimDue(
    owner: string,
    leaseMs: number,
    limit: number,
    exclude: readonly string[] = [],
  ): Promise<ClaimedPersona[]> {
    return this.repo.claimDue(owner, leaseMs, limit, exclude);
  }

  /** Claims one persona now, due or not: 'leased' while another holds it, 'missing' for an unknown id. */
  claimOne(
    owner: string,
    leaseMs: number,
    personaId: string,
  ): Promise<ClaimedPersona | 'leased' | 'missing'> {
    return this.repo.claimOne(owner, leaseMs, personaId);
  }

  /** Opens the tick row while the claim's token is still the persona's; null once the lease was lost. */
  beginTick(claim: ClaimedPersona, brain: string, model: string | null): Promise<OpenedTick | null> {
    return this.repo.beginTick(claim, brain, model);
  }

  /**
   * Where the persona goes in the queue after a tick that ended `ok` or not: the next slot of its
   * cadence in its timezone, backed off after consecutive failures, from the database's clock.
   */
  async scheduleAfter(claim: LeasedPersona, ok: boolean): Promise<TickSchedule> {
    const failures = ok ? 0 : claim.consecutiveFailures + 1;
    const now = await this.repo.now();
    return {
      nextDueAt: nextDueAt(claim.cadence, claim.timezone, now, failures),
      consecutiveFailures: failures,
    };
  }

  /** Ends the tick and releases the lease, fenced by the lease token; false when it was taken over. */
  finishTick(finish: TickFinish): Promise<boolean> {
    return this.repo.finishTick(finish);
  }

  /**
   * Ends a tick from its outcome, fenced: the server computes the next due time (scheduleAfter) unless
   * the tick keeps its schedule, and stamps last_active_at when the persona did anything. One path
   * for the in-process runner and POST …/internal/ticks/:tickId/finish. False when taken over.
   */
  async finish(persona: LeasedPersona, tickId: string, outcome: TickOutcome): Promise<FinishedTick | null> {
    // a tick TICK_BUDGET_USD stopped is no failure of the persona: next slot, no backoff
    const ok = outcome.status === 'ok' || outcome.status === 'budget_exceeded';
    const schedule = outcome.keepSchedule ? undefined : await this.scheduleAfter(persona, ok);
    const recorded = await this.repo.finishTick({
      personaId: persona.userId,
      leaseToken: persona.leaseToken,
      tickId,
      status: outcome.status,
      toolCalls: outcome.toolCalls,
      tokensIn: outcome.tokensIn,
      tokensOut: outcome.tokensOut,
      costUsd: outcome.costUsd,
      cacheReadTokens: outcome.cacheReadTokens,
      cacheWriteTokens: outcome.cacheWriteTokens,
      error: outcome.error,
      ratingError: outcome.ratingError,
      words: outcome.words,
      schedule,
      active: ok || outcome.toolCalls > 0,
    });
    return recorded ? { tickId, status: outcome.status, nextDueAt: schedule?.nextDueAt ?? null } : null;
  }

  /**
   * Claims up to `limit` due personas with the in-process runner's own statement (claimDue) and opens
   * each one's tick row, for a runner on another host. A claim whose tick cannot be opened (its lease
   * was lost in between) is left out.
   */
  async claimTicks(
    owner: string,
    limit: number,
    brain: string,
    model: string | null,
    exclude: readonly string[] = [],
  ): Promise<ClaimedTick[]> {
    // personas on an external target are the in-process runners' (claimDue's builtInOnly)
    const claims = await this.repo.claimDue(owner, this.config.leaseMs, limit, exclude, true);
    const ticks: ClaimedTick[] = [];
    for (const claim of claims) {
      const opened = await this.repo.beginTick(claim, brain, model);
      if (opened) ticks.push({ ...claim, tickId: opened.tickId });
    }
    return ticks;
  }

  /** The heartbeat of a remote tick: a new lease expiry, or 409 when the token is stale. */
  async extend(tickId: string, leaseToken: string): Promise<Date> {
    const expires = await this.repo.extendLease(tickId, leaseToken, this.config.leaseMs);
    if (!expires) throw leaseLost(tickId);
    return expires;
  }

  /**
   * Finishes a remote tick under its lease (409 when the token is stale; nothing changes then). A
   * repeat of the finish that was written (same token, same outcome: its answer was lost and the
   * runner retried) answers as the first did and writes nothing.
   */
  async finishLeased(tickId: string, leaseToken: string, outcome: TickOutcome): Promise<FinishedTick> {
    const persona = await this.repo.leasedTick(tickId, leaseToken);
    const finished = persona ? await this.finish(persona, tickId, outcome) : null;
    if (finished) return finished;
    const replay = await this.repo.finishedUnderLease({ tickId, leaseToken, ...outcome });
    if (!replay) throw leaseLost(tickId);
    return { tickId, status: outcome.status, nextDueAt: outcome.keepSchedule ? null : replay.nextDueAt };
  }

  /** The persona behind a running tick under `leaseToken` (409 when the token is stale or wrong). */
  async leasedPersona(tickId: string, leaseToken: string): Promise<LeasedPersona> {
    const persona = await this.repo.leasedTick(tickId, leaseToken);
    if (!persona) throw leaseLost(tickId);
    return persona;
  }

  /** DAILY_BUDGET_USD against today's spend of every runner (persona_ticks.cost_usd), re-read now. */
  async dailyBudget(): Promise<DailyBudgetCheck> {
    return dailyBudgetCheck(await this.repo.spendToday(), this.config.dailyBudgetUsd);
  }

  /**
   * A remote runner's claim: as claimTicks, but nothing is claimed for a brain that spends (all but
   * `scripted`) once DAILY_BUDGET_USD is reached, as the in-process runner pauses such a brain.
   */
  async claimTicksWithinBudget(
    owner: string,
    limit: number,
    brain: string,
    model: string | null,
    exclude: readonly string[] = [],
  ): Promise<{ ticks: ClaimedTick[]; budget: DailyBudgetCheck | null }> {
    if (BUDGET_FREE_BRAINS.includes(brain) || this.config.dailyBudgetUsd === undefined) {
      return { ticks: await this.claimTicks(owner, limit, brain, model, exclude), budget: null };
    }
    const budget = await this.dailyBudget();
    if (budget.reached) return { ticks: [], budget };
    return { ticks: await this.claimTicks(owner, limit, brain, model, exclude), budget };
  }

  /** LLM spend of all personas today (UTC day by the database's clock), for DAILY_BUDGET_USD. */
  spendToday(): Promise<SpendToday> {
    return this.repo.spendToday();
  }

  /** Gives a claim back without a tick: the persona stays due as it was. */
  release(personaId: string, leaseToken: string): Promise<void> {
    return this.repo.release(personaId, leaseToken);
  }

  /** The password a persona signs in with (derived from its email and the seed secret). */
  passwordOf(claim: Pick<ClaimedPersona, 'email'>): string {
    return derivePersonaPassword(claim.email, personaSeedSecret(this.config));
  }
}

function leaseLost(tickId: string): PersonaException {
  return new PersonaException(
    PersonaErrorCode.LEASE_LOST,
    `tick ${tickId}: the lease token is not the tick's current lease (the tick finished, or another runner took the persona over); nothing was changed`,
  );
}
