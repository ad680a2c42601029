import type {
  ActionInput,
  FeedbackInput,
  FindingInput,
  RecordResult,
} from '../../personas/persona-records.js';
import type {
  ClaimedPersona,
  ModuleMix,
  TickCadence,
  TickOutcome,
} from '../../personas/schedule/persona-schedule.types.js';
import type { PersonaMemory } from '../brains/brain.js';
import { retryAfterMs } from '../brains/retry-policy.js';
import { InternalApiError } from './internal-api.error.js';
import { LeaseLostError } from './lease-lost.error.js';

/** The base path of the internal API (service key, X-Service-Key). */
export const INTERNAL_API = '/api/v1/personas/internal';
/** No single call of the protocol waits longer than this. */
const REQUEST_TIMEOUT_MS = 30_000;

/** A claim as the server answers it (POST …/claims), dates as ISO strings. */
interface ClaimedTickWire {
  tickId: string;
  leaseToken: string;
  leaseExpiresAt: string;
  claimedAt: string;
  userId: string;
  email: string;
  archetype: string;
  systemPrompt: string;
  moduleMix: ModuleMix;
  timezone: string;
  cadence: TickCadence;
  consecutiveFailures: number;
}

/** DAILY_BUDGET_USD as the server answers it (GET …/budget). */
export interface DailyBudgetWire {
  budgetUsd: number | null;
  spentTodayUsd: number;
  reached: boolean;
  reason: string | null;
  resumesAt: string;
}

/** How long a tick's lease is, and until when (this host's clock) it is held for sure. */
interface HeldLease {
  leaseMs: number;
  heldUntil: number;
}

/**
 * The remote runner's side of the internal API: one method per route, 409 → LeaseLostError, any
 * other failure → InternalApiError (with the status, or none when no answer came). It also keeps,
 * per running tick, how long its lease is held for sure by this host's clock: from the moment the
 * claim or the last extend that succeeded was sent, plus the lease's length (the server starts the
 * lease later than that, never earlier, so no clock of the two hosts is compared).
 */
export class InternalApiClient {
  private readonly leases = new Map<string, HeldLease>();

  constructor(
    private readonly apiUrl: string,
    private readonly serviceKey: string,
  ) {}

  /** Claims up to `limit` due personas; each comes with its opened tick and lease. */
  async claim(
    limit: number,
    runner: { runnerId: string; brain: string; model: string | null; exclude: readonly string[] },
  ): Promise<Array<ClaimedPersona & { tickId: string }>> {
    const sentAt = Date.now();
    const body = await this.call<{ items: ClaimedTickWire[] }>('POST', '/claims', { limit, ...runner });
    return body.items.map((c) => {
      const claim = { ...c, claimedAt: new Date(c.claimedAt), leaseExpiresAt: new Date(c.leaseExpiresAt) };
      const leaseMs = claim.leaseExpiresAt.getTime() - claim.claimedAt.getTime();
      this.leases.set(c.tickId, { leaseMs, heldUntil: sentAt + leaseMs });
      return claim;
    });
  }

  /** The heartbeat: the lease's new expiry (the server's clock). */
  async extend(tickId: string, leaseToken: string): Promise<Date> {
    const sentAt = Date.now();
    const body = await this.call<{ leaseExpiresAt: string }>('POST', `/ticks/${tickId}/extend`, {
      leaseToken,
    });
    const lease = this.leases.get(tickId);
    if (lease) lease.heldUntil = Math.max(lease.heldUntil, sentAt + lease.leaseMs);
    return new Date(body.leaseExpiresAt);
  }

  /** How much longer this tick's lease is held for sure (this host's clock); undefined for an unknown tick. */
  leaseLeftMs(tickId: string): number | undefined {
    const lease = this.leases.get(tickId);
    return lease ? lease.heldUntil - Date.now() : undefined;
  }

  /** The tick is over (finished, given up or broken): its lease is no longer followed. */
  forget(tickId: string): void {
    this.leases.delete(tickId);
  }

  async finish(tickId: string, leaseToken: string, outcome: TickOutcome): Promise<void> {
    await this.call('POST', `/ticks/${tickId}/finish`, { leaseToken, ...outcome });
  }

  /** The persona's memory of its earlier days, under the tick's lease; undefined on a first day. */
  async memory(tickId: string, leaseToken: string): Promise<PersonaMemory | undefined> {
    const body = await this.call<{ memory: PersonaMemory | null }>('POST', `/ticks/${tickId}/memory`, {
      leaseToken,
    });
    return body.memory ?? undefined;
  }

  /** DAILY_BUDGET_USD against the spend of all runners today. */
  dailyBudget(): Promise<DailyBudgetWire> {
    return this.call('GET', '/budget');
  }

  recordActions(personaId: string, leaseToken: string, actions: ActionInput[]): Promise<RecordResult> {
    return this.call('POST', `/${personaId}/actions`, { leaseToken, actions });
  }

  recordFeedback(personaId: string, leaseToken: string, feedback: FeedbackInput[]): Promise<RecordResult> {
    return this.call('POST', `/${personaId}/feedback`, { leaseToken, feedback });
  }

  recordFindings(personaId: string, leaseToken: string, findings: FindingInput[]): Promise<RecordResult> {
    return this.call('POST', `/${personaId}/findings`, { leaseToken, findings });
  }

  private async call<T>(method: 'GET' | 'POST', path: string, body?: unknown): Promise<T> {
    const route = `${method} ${INTERNAL_API}${path}`;
    let res: Response;
    try {
      res = await fetch(`${this.apiUrl}${INTERNAL_API}${path}`, {
        method,
        headers: {
          ...(body === undefined ? {} : { 'content-type': 'application/json' }),
          'x-service-key': this.serviceKey,
        },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
        signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
      });
    } catch (error) {
      const why = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
      throw new InternalApiError(`${route}: no answer (${why})`, undefined);
    }
    const answer = (await res.json().catch(() => undefined)) as { message?: unknown } | undefined;
    if (res.ok) return answer as T;
    const why = Array.isArray(answer?.message)
      ? answer.message.join('; ')
      : typeof answer?.message === 'string'
        ? answer.message
        : res.statusText;
    if (res.status === 409) throw new LeaseLostError(`${method} ${path}: ${why}`);
    throw new InternalApiError(
      `${route} answered ${res.status}: ${why}`,
      res.status,
      retryAfterMs(res.headers),
    );
  }
}
