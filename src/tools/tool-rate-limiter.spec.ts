import { ToolRateLimiter } from './tool-rate-limiter.js';

describe(ToolRateLimiter.name, () => {
  let now = 0;
  const clock = () => now;
  beforeEach(() => {
    now = 1_000_000;
  });

  it('should allow exactly `limit` calls in a window and refuse the next with the wait', () => {
    const limiter = new ToolRateLimiter(3, 60_000, clock);
    expect([1, 2, 3].map(() => limiter.take('u:todo.create').allowed)).toEqual([true, true, true]);
    now += 10_000;
    const refused = limiter.take('u:todo.create');
    expect(refused).toEqual({ allowed: false, retryAfterMs: 50_000 });
  });

  it('should slide: a call becomes possible again exactly when the oldest leaves the window', () => {
    const limiter = new ToolRateLimiter(2, 1000, clock);
    limiter.take('k');
    now += 400;
    limiter.take('k');
    now += 599;
    expect(limiter.take('k').allowed).toBe(false);
    now += 1;
    expect(limiter.take('k').allowed).toBe(true);
    expect(limiter.take('k').allowed).toBe(false);
  });

  it('should keep keys apart (per user and tool)', () => {
    const limiter = new ToolRateLimiter(1, 1000, clock);
    expect(limiter.take('a:todo.create').allowed).toBe(true);
    expect(limiter.take('a:todo.list').allowed).toBe(true);
    expect(limiter.take('b:todo.create').allowed).toBe(true);
    expect(limiter.take('a:todo.create').allowed).toBe(false);
  });

  it('should not count refused calls', () => {
    const limiter = new ToolRateLimiter(1, 1000, clock);
    limiter.take('k');
    for (let i = 0; i < 5; i++) limiter.take('k');
    now += 1000;
    expect(limiter.take('k').allowed).toBe(true);
  });

  it('should drop keys whose window has passed', () => {
    const limiter = new ToolRateLimiter(5, 1000, clock);
    limiter.take('a');
    limiter.take('b');
    now += 1500;
    limiter.take('c');
    expect(limiter.size).toBe(1);
  });

  it('should stay exact over many calls (compaction keeps the window right)', () => {
    const limiter = new ToolRateLimiter(100, 1000, clock);
    let allowed = 0;
    for (let i = 0; i < 10_000; i++) {
      now += 1; // 1 call per ms: 100 per window allowed, so 1 in 10 passes in steady state
      if (limiter.take('k').allowed) allowed++;
    }
    expect(allowed).toBe(1000);
  });
});
