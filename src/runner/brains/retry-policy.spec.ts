import { RetryPolicy, retryAfterMs } from './retry-policy.js';

const headers = (values: Record<string, string>) => new Headers(values);
const policy = (random = 0.5) =>
  new RetryPolicy({ maxRetries: 3, baseDelayMs: 1000, maxDelayMs: 30_000, random: () => random });

describe(RetryPolicy.name, () => {
  it('should retry 429 with the Retry-After it was given', () => {
    const action = policy().classify({
      status: 429,
      type: 'rate_limit_error',
      headers: headers({ 'retry-after': '2' }),
    });
    expect(action).toEqual({ kind: 'retry', reason: expect.stringContaining('429'), retryAfterMs: 2000 });
  });

  it('should retry 500, 503 and 529 overloaded and connection failures', () => {
    for (const status of [500, 503, 529]) expect(policy().classify({ status }).kind).toBe('retry');
    expect(policy().classify({ connection: true, message: 'fetch failed' }).kind).toBe('retry');
  });

  it('should pause on 401 and 403 and never retry them', () => {
    expect(policy().classify({ status: 401, type: 'authentication_error' }).kind).toBe('pause');
    expect(policy().classify({ status: 403, type: 'permission_error' }).kind).toBe('pause');
  });

  it('should pause on billing and spend-limit errors, whatever their status', () => {
    expect(policy().classify({ status: 402 }).kind).toBe('pause');
    expect(policy().classify({ status: 400, type: 'billing_error' }).kind).toBe('pause');
    expect(policy().classify({ status: 429, errorCode: 'enforced_spend_limit_reached' }).kind).toBe('pause');
    expect(
      policy().classify({ status: 400, message: 'Your credit balance is too low to access the API' }).kind,
    ).toBe('pause');
  });

  it('should fail other client errors at once', () => {
    expect(policy().classify({ status: 400, type: 'invalid_request_error', message: 'bad' }).kind).toBe(
      'fail',
    );
    expect(policy().classify({ status: 404 }).kind).toBe('fail');
  });

  it('should back off exponentially with jitter in the upper half of each step, capped', () => {
    const low = policy(0);
    const high = policy(1);
    expect([1, 2, 3].map((n) => low.delayMs(n))).toEqual([500, 1000, 2000]);
    expect([1, 2, 3].map((n) => high.delayMs(n))).toEqual([1000, 2000, 4000]);
    expect(high.delayMs(20)).toBe(30_000);
  });

  it('should never wait less than Retry-After, nor longer than the cap', () => {
    expect(policy(0).delayMs(1, 5000)).toBe(5000);
    expect(policy(1).delayMs(3, 100)).toBe(4000);
    expect(policy(0).delayMs(1, 120_000)).toBe(30_000);
  });
});

describe('retryAfterMs', () => {
  it('should read seconds, milliseconds and an HTTP date', () => {
    expect(retryAfterMs(headers({ 'retry-after': '3' }))).toBe(3000);
    expect(retryAfterMs(headers({ 'retry-after-ms': '250', 'retry-after': '3' }))).toBe(250);
    const now = Date.parse('2025-01-01T00:00:00Z');
    expect(retryAfterMs(headers({ 'retry-after': 'Wed, 01 Jan 2025 00:00:04 GMT' }), now)).toBe(4000);
    expect(retryAfterMs(headers({ 'retry-after': 'soon' }))).toBeUndefined();
    expect(retryAfterMs(null)).toBeUndefined();
  });
});
