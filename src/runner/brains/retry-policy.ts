/** What to do with a failed LLM call. */
export type FailureAction =
  | { kind: 'retry'; reason: string; retryAfterMs?: number }
  | { kind: 'pause'; reason: string }
  | { kind: 'fail'; reason: string };

/** The parts of an HTTP error the policy looks at (the SDK's APIError has all of them). */
export interface LlmErrorFacts {
  status?: number;
  /** `error.type` of the response body: rate_limit_error, overloaded_error, billing_error, ... */
  type?: string | null;
  /** `error.details.error_code` of the response body, when there is one. */
  errorCode?: string | null;
  message?: string;
  headers?: { get(name: string): string | null } | null;
  /** True for a network failure or a client-side request timeout (no HTTP answer). */
  connection?: boolean;
}

export interface RetryPolicyOptions {
  maxRetries: number;
  /** The first backoff step; each retry doubles it. */
  baseDelayMs: number;
  /** No single wait is longer than this (a Retry-After beyond it is cut to it). */
  maxDelayMs: number;
  random?: () => number;
}

const BILLING = /spend_limit|billing|credit balance|insufficient_quota|payment/i;

/**
 * The Anthropic retry policy, kept apart from the HTTP client so it can be tested on its own:
 * 429 and 5xx/overloaded (529) and connection failures are retried with exponential backoff and
 * jitter, a bounded number of times, honouring `retry-after`; 401/403 and spend-limit / billing
 * errors are never retried and pause the brain (retrying a bad key or an empty wallet only burns
 * time and goodwill); any other 4xx fails the call at once.
 */
export class RetryPolicy {
  private readonly random: () => number;

  constructor(private readonly options: RetryPolicyOptions) {
    this.random = options.random ?? Math.random;
  }

  get maxRetries(): number {
    return this.options.maxRetries;
  }

  classify(error: LlmErrorFacts): FailureAction {
    const status = error.status;
    const describe = `${status ?? 'no answer'}${error.type ? ` ${error.type}` : ''}${error.message ? `: ${error.message}` : ''}`;
    if (
      status === 402 ||
      error.type === 'billing_error' ||
      BILLING.test(error.errorCode ?? '') ||
      (status !== undefined && status < 500 && BILLING.test(error.message ?? ''))
    ) {
      return { kind: 'pause', reason: `billing or spend limit (${describe})` };
    }
    if (
      status === 401 ||
      status === 403 ||
      error.type === 'authentication_error' ||
      error.type === 'permission_error'
    ) {
      return { kind: 'pause', reason: `credentials refused (${describe})` };
    }
    if (status === 429 || status === 408 || status === 409 || (status !== undefined && status >= 500)) {
      return { kind: 'retry', reason: describe, retryAfterMs: retryAfterMs(error.headers) };
    }
    if (
      error.type === 'overloaded_error' ||
      error.type === 'rate_limit_error' ||
      error.type === 'api_error'
    ) {
      return { kind: 'retry', reason: describe, retryAfterMs: retryAfterMs(error.headers) };
    }
    if (status === undefined && error.connection) return { kind: 'retry', reason: describe };
    return { kind: 'fail', reason: describe };
  }

  /**
   * Wait before retry number `attempt` (1-based): full-jitter exponential backoff in the upper half
   * of the step (so it never collapses to zero), but never less than the server's Retry-After.
   */
  delayMs(attempt: number, retryAfter?: number): number {
    const step = Math.min(this.options.maxDelayMs, this.options.baseDelayMs * 2 ** (attempt - 1));
    const jittered = Math.round(step / 2 + (this.random() * step) / 2);
    if (retryAfter === undefined) return jittered;
    return Math.min(this.options.maxDelayMs, Math.max(retryAfter, jittered));
  }
}

/** `retry-after-ms`, else `retry-after` as seconds or an HTTP date; undefined when absent or unreadable. */
export function retryAfterMs(headers: LlmErrorFacts['headers'], now = Date.now()): number | undefined {
  if (!headers) return undefined;
  const ms = headers.get('retry-after-ms');
  if (ms !== null && /^\d+(\.\d+)?$/.test(ms.trim())) return Math.ceil(Number(ms));
  const value = headers.get('retry-after');
  if (value === null) return undefined;
  if (/^\d+(\.\d+)?$/.test(value.trim())) return Math.ceil(Number(value) * 1000);
  const date = Date.parse(value);
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}
