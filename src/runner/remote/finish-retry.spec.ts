import { FINISH_RETRY, finishRetryDelay, isTransient } from './finish-retry.js';

const fresh = { elapsedMs: 0, leaseLeftMs: 60_000 };
const top = () => 1;
const bottom = () => 0;

describe(finishRetryDelay.name, () => {
  it.each([[500], [502], [503], [504], [429]])('should retry a %i', (status) => {
    expect(finishRetryDelay({ status }, 1, fresh, FINISH_RETRY, top)).toBe(500);
  });

  it('should retry a call that got no answer (network error or timeout)', () => {
    expect(finishRetryDelay({}, 1, fresh, FINISH_RETRY, top)).toBe(500);
  });

  it.each([[409], [400], [401], [403], [404], [408], [422]])('should never retry a %i', (status) => {
    expect(finishRetryDelay({ status }, 1, fresh)).toBeNull();
  });

  it('should double the wait on each attempt, jittered within the upper half of the step', () => {
    expect([1, 2, 3].map((n) => finishRetryDelay({ status: 503 }, n, fresh, FINISH_RETRY, top))).toEqual([
      500, 1000, 2000,
    ]);
    expect([1, 2, 3].map((n) => finishRetryDelay({ status: 503 }, n, fresh, FINISH_RETRY, bottom))).toEqual([
      250, 500, 1000,
    ]);
  });

  it('should give up after 4 attempts in all', () => {
    expect(finishRetryDelay({ status: 503 }, 3, fresh)).not.toBeNull();
    expect(finishRetryDelay({ status: 503 }, 4, fresh)).toBeNull();
  });

  it('should fit every retry of the default rule within 10 s of the first attempt', () => {
    let elapsed = 0;
    for (let attempt = 1; attempt < FINISH_RETRY.maxAttempts; attempt += 1) {
      const delay = finishRetryDelay({ status: 503 }, attempt, { elapsedMs: elapsed }, FINISH_RETRY, top);
      expect(delay).not.toBeNull();
      elapsed += delay!;
    }
    expect(elapsed).toBeLessThanOrEqual(FINISH_RETRY.maxElapsedMs);
  });

  it('should give up when the retry would start after 10 s', () => {
    expect(finishRetryDelay({ status: 503 }, 1, { elapsedMs: 9_600 }, FINISH_RETRY, top)).toBeNull();
    expect(finishRetryDelay({ status: 503 }, 1, { elapsedMs: 9_400 }, FINISH_RETRY, top)).toBe(500);
  });

  it('should wait at least the Retry-After of a 429, and give up when that is too long', () => {
    expect(finishRetryDelay({ status: 429, retryAfterMs: 3_000 }, 1, fresh, FINISH_RETRY, top)).toBe(3_000);
    expect(finishRetryDelay({ status: 429, retryAfterMs: 30_000 }, 1, fresh)).toBeNull();
  });

  it('should give up when the lease would have less than a second left after the wait', () => {
    expect(
      finishRetryDelay({ status: 503 }, 1, { elapsedMs: 0, leaseLeftMs: 1_400 }, FINISH_RETRY, top),
    ).toBeNull();
    expect(
      finishRetryDelay({ status: 503 }, 1, { elapsedMs: 0, leaseLeftMs: 1_500 }, FINISH_RETRY, top),
    ).toBe(500);
  });
});

describe(isTransient.name, () => {
  it('should call no answer, 429 and 5xx transient, and nothing else', () => {
    expect([undefined, 429, 500, 599].map((status) => isTransient({ status }))).toEqual([
      true,
      true,
      true,
      true,
    ]);
    expect([200, 400, 404, 408, 409, 499].map((status) => isTransient({ status }))).toEqual([
      false,
      false,
      false,
      false,
      false,
      false,
    ]);
  });
});
