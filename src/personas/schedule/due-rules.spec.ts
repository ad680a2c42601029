import { isWeekend, nextDueAt, weekdayName, weekdayStartFrom } from './due-rules.js';

const at = (iso: string) => new Date(iso);
const MIN = 60_000;

describe(nextDueAt.name, () => {
  // 2025-11-19 is a Wednesday, 2025-11-21 a Friday
  it('should rest one hour after a successful hourly tick', () => {
    expect(nextDueAt('hourly', 'UTC', at('2025-11-19T10:00:00Z'), 0)).toEqual(at('2025-11-19T11:00:00Z'));
  });

  it('should rest 24 hours after a successful daily tick, weekend or not', () => {
    expect(nextDueAt('daily', 'Europe/Berlin', at('2025-11-21T10:00:00Z'), 0)).toEqual(
      at('2025-11-22T10:00:00Z'),
    );
  });

  it('should rest 24 hours after a weekdays tick that lands on a weekday', () => {
    expect(nextDueAt('weekdays', 'UTC', at('2025-11-19T10:00:00Z'), 0)).toEqual(at('2025-11-20T10:00:00Z'));
  });

  it('should skip Saturday and Sunday for a weekdays persona', () => {
    expect(nextDueAt('weekdays', 'UTC', at('2025-11-21T10:00:00Z'), 0)).toEqual(at('2025-11-24T10:00:00Z'));
  });

  it("should judge the weekend on the persona's own clock, ahead of UTC", () => {
    // Fri 20:00 UTC is Sat 09:00 in Auckland (NZDT, +13): +24 h is Sun there, +48 h is Mon 09:00 there
    expect(nextDueAt('weekdays', 'Pacific/Auckland', at('2025-11-21T20:00:00Z'), 0)).toEqual(
      at('2025-11-23T20:00:00Z'),
    );
    // the same instant judged in UTC: Sat and Sun are skipped, Mon 20:00 UTC
    expect(nextDueAt('weekdays', 'UTC', at('2025-11-21T20:00:00Z'), 0)).toEqual(at('2025-11-24T20:00:00Z'));
  });

  it("should judge the weekend on the persona's own clock, behind UTC", () => {
    // Sun 03:00 UTC is Sat 19:00 in Los Angeles: +24 h is Sun 19:00 there (weekend), +48 h Mon 19:00
    expect(nextDueAt('weekdays', 'America/Los_Angeles', at('2025-11-23T03:00:00Z'), 0)).toEqual(
      at('2025-11-25T03:00:00Z'),
    );
    // in UTC, +24 h is already Monday
    expect(nextDueAt('weekdays', 'UTC', at('2025-11-23T03:00:00Z'), 0)).toEqual(at('2025-11-24T03:00:00Z'));
  });

  it('should back off exponentially from one minute after failures', () => {
    const from = at('2025-11-19T10:00:00Z');
    const delays = [1, 2, 3, 4, 5].map((n) => nextDueAt('daily', 'UTC', from, n).getTime() - from.getTime());
    expect(delays).toEqual([1 * MIN, 2 * MIN, 4 * MIN, 8 * MIN, 16 * MIN]);
  });

  it("should cap the backoff at the cadence's interval", () => {
    const from = at('2025-11-19T10:00:00Z');
    // failure n waits 2^(n-1) min. hourly: n=6 → 32 min, n=7 → 64 min is capped to 60
    expect(nextDueAt('hourly', 'UTC', from, 6).getTime() - from.getTime()).toBe(32 * MIN);
    expect(nextDueAt('hourly', 'UTC', from, 7).getTime() - from.getTime()).toBe(60 * MIN);
    // daily: n=11 → 1024 min < 1440, n=12 → 2048 min is capped to 1440
    expect(nextDueAt('daily', 'UTC', from, 11).getTime() - from.getTime()).toBe(1024 * MIN);
    expect(nextDueAt('daily', 'UTC', from, 12).getTime() - from.getTime()).toBe(1440 * MIN);
    expect(nextDueAt('daily', 'UTC', from, 10_000).getTime() - from.getTime()).toBe(1440 * MIN);
  });

  it('should move a weekdays retry that falls on the weekend to Monday', () => {
    // Sat 10:00 UTC, first failure: +1 min is still Saturday, so Mon 10:01
    expect(nextDueAt('weekdays', 'UTC', at('2025-11-22T10:00:00Z'), 1)).toEqual(at('2025-11-24T10:01:00Z'));
  });

  it('should treat negative or fractional failure counts sanely', () => {
    const from = at('2025-11-19T10:00:00Z');
    expect(nextDueAt('hourly', 'UTC', from, -3)).toEqual(at('2025-11-19T11:00:00Z'));
    expect(nextDueAt('hourly', 'UTC', from, 1.7).getTime() - from.getTime()).toBe(MIN);
  });

  it('should treat an unknown timezone as UTC', () => {
    expect(nextDueAt('weekdays', 'Mars/Olympus_Mons', at('2025-11-21T10:00:00Z'), 0)).toEqual(
      at('2025-11-24T10:00:00Z'),
    );
  });
});

describe(isWeekend.name, () => {
  it('should read the weekday on the wall clock of the timezone', () => {
    const instant = at('2025-11-21T23:30:00Z'); // Friday in UTC, Saturday in Berlin
    expect(isWeekend(instant, 'UTC')).toBe(false);
    expect(isWeekend(instant, 'Europe/Berlin')).toBe(true);
  });
});

describe(weekdayStartFrom.name, () => {
  it('should answer a weekday instant itself', () => {
    const wednesday = at('2025-11-19T10:00:00Z');
    expect(weekdayStartFrom(wednesday, 'Europe/Berlin')).toEqual(wednesday);
  });

  it("should answer Monday 00:00 on the persona's clock from a Saturday or a Sunday", () => {
    // Monday 2025-11-24 00:00 in Berlin (CET, +1) is Sunday 23:00 UTC
    expect(weekdayStartFrom(at('2025-11-22T10:00:00Z'), 'Europe/Berlin')).toEqual(at('2025-11-23T23:00:00Z'));
    expect(weekdayStartFrom(at('2025-11-23T22:59:00Z'), 'Europe/Berlin')).toEqual(at('2025-11-23T23:00:00Z'));
    expect(weekdayStartFrom(at('2025-11-22T10:00:00Z'), 'UTC')).toEqual(at('2025-11-24T00:00:00Z'));
  });

  it('should land on Monday 00:00 across a daylight saving change on the weekend', () => {
    // Sunday 2025-03-30 Berlin moves from CET (+1) to CEST (+2): Monday 00:00 is Sunday 22:00 UTC
    expect(weekdayStartFrom(at('2025-03-29T12:00:00Z'), 'Europe/Berlin')).toEqual(at('2025-03-30T22:00:00Z'));
  });

  it('should land on Monday 00:00 after a Sunday whose own midnight the zone skipped', () => {
    // Sunday 2024-09-08 00:00 does not exist in Santiago (clocks jump to 01:00, −4 → −3)
    expect(weekdayStartFrom(at('2024-09-07T12:00:00Z'), 'America/Santiago')).toEqual(
      at('2024-09-09T03:00:00Z'),
    );
  });
});

describe(weekdayName.name, () => {
  it('should name the weekday on the wall clock of the timezone', () => {
    const instant = at('2025-11-21T23:30:00Z');
    expect(weekdayName(instant, 'UTC')).toBe('Friday');
    expect(weekdayName(instant, 'Europe/Berlin')).toBe('Saturday');
  });
});
