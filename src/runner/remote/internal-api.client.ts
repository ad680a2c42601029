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

/** The remote runner's side of the internal API: one method per route, 409 → LeaseLostError. */
export class InternalApiClient {
  constructor(
    private readonly apiUrl: string,
    private readonly serviceKey: string,
  ) {}

  /** Claims up to `limit` due personas; each comes with its opened tick and lease. */
  async claim(
    limit: number,
    runner: { runnerId: string; brain: string; model: string | null; exclude: readonly string[] },
  ): Promise<Array<ClaimedPersona & { tickId: string }>> {
    const body = await this.post<{ items: ClaimedTickWire[] }>('/claims', { limit, ...runner });
    return body.items.map((c) => ({
      ...c,
      claimedAt: new Date(c.claimedAt),
      leaseExpiresAt: new Date(c.leaseExpiresAt),
    }));
  }

  /** The heartbeat: the lease's new expiry. */
  async extend(tickId: string, leaseToken: string): Promise<Date> {
    const body = await this.post<{ leaseExpiresAt: string }>(`/ticks/${tickId}/extend`, { leaseToken });
    return new Date(body.leaseExpiresAt);
  }

  async finish(tickId: string, leaseToken: string, outcome: TickOutcome): Promise<void> {
    await this.post(`/ticks/${tickId}/finish`, { leaseToken, ...outcome });
  }

  recordActions(personaId: string, leaseToken: string, actions: ActionInput[]): Promise<RecordResult> {
    return this.post(`/${personaId}/actions`, { leaseToken, actions });
  }

  recordFeedback(personaId: string, leaseToken: string, feedback: FeedbackInput[]): Promise<RecordResult> {
    return this.post(`/${personaId}/feedback`, { leaseToken, feedback });
  }

  recordFindings(personaId: string, leaseToken: string, findings: FindingInput[]): Promise<RecordResult> {
    return this.post(`/${personaId}/findings`, { leaseToken, findings });
  }

  private async post<T>(path: string, body: unknown): Promise<T> {
    const res = await fetch(`${this.apiUrl}${INTERNAL_API}${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-service-key': this.serviceKey },
      body: JSON.stringify(body),
      signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
    });
    const answer = (await res.json().catch(() => undefined)) as { message?: unknown } | undefined;
    if (res.ok) return answer as T;
    const why = Array.isArray(answer?.message)
      ? answer.message.join('; ')
      : typeof answer?.message === 'string'
        ? answer.message
        : res.statusText;
    if (res.status === 409) throw new LeaseLostError(`POST ${path}: ${why}`);
    throw new Error(`POST ${INTERNAL_API}${path} answered ${res.status}: ${why}`);
  }
}
