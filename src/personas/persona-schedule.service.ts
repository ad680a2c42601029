import { Inject, Injectable } from '@nestjs/common';
import { AppConfig } from '../config/app-config.js';
import { nextDueAt } from './due-rules.js';
import { derivePersonaPassword, personaSeedSecret } from './persona-password.js';
import { PersonaScheduleRepository } from './persona-schedule.repository.js';
import type { ClaimedPersona, OpenedTick, TickFinish, TickSchedule } from './persona-schedule.types.js';

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
  async scheduleAfter(claim: ClaimedPersona, ok: boolean): Promise<TickSchedule> {
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

  /** Gives a claim back without a tick: the persona stays due as it was. */
  release(personaId: string, leaseToken: string): Promise<void> {
    return this.repo.release(personaId, leaseToken);
  }

  /** The password a persona signs in with (derived from its email and the seed secret). */
  passwordOf(claim: Pick<ClaimedPersona, 'email'>): string {
    return derivePersonaPassword(claim.email, personaSeedSecret(this.config));
  }
}
