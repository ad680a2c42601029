import { derivePersonaPassword, personaSeedSecret } from '../../personas/persona-password.js';
import type {
  ClaimedPersona,
  OpenedTick,
  TickOutcome,
} from '../../personas/schedule/persona-schedule.types.js';
import type { TickAudit, TickStore } from '../tick/tick-store.js';
import type { InternalApiClient } from './internal-api.client.js';
import { LeaseLostError } from './lease-lost.error.js';

/**
 * The HTTP adapter of the TickStore port, for a runner on another host: the tick row was opened by
 * the server with the claim, every write goes through the internal API under the claim's lease
 * token, and the server computes the next due time on finish. The persona's password is derived
 * here, from this host's PERSONA_SEED_SECRET: the server never sends one.
 */
export class HttpTickStore implements TickStore {
  constructor(
    private readonly api: InternalApiClient,
    private readonly seed: { nodeEnv: 'development' | 'production' | 'test'; personaSeedSecret: string },
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

  async finish(claim: ClaimedPersona, tickId: string, outcome: TickOutcome): Promise<boolean> {
    try {
      await this.api.finish(tickId, claim.leaseToken, outcome);
      return true;
    } catch (error) {
      if (error instanceof LeaseLostError) return false;
      throw error;
    }
  }
}
