import { effectiveNextDueAt, whyNotTicking } from './not-ticking.js';
import type { PersonaScheduleFacts, RunnerFacts } from './not-ticking.js';

const at = (iso: string) => new Date(iso);
const MIN = 60_000;
const GRACE = 6 * MIN;
// 2025-11-19 is a Wednesday, 2025-11-22 a Saturday, 2025-11-24 a Monday
const WEDNESDAY = at('2025-11-19T12:00:00Z');
const SATURDAY = at('2025-11-22T12:00:00Z');

const facts = (over: Partial<PersonaScheduleFacts> = {}): PersonaScheduleFacts => ({
  tickCadence: 'daily',
  timezone: 'UTC',
  nextDueAt: at('2025-11-19T18:00:00Z'),
  consecutiveFailures: 0,
  createdAt: at('2025-11-01T00:00:00Z'),
  disabledAt: null,
  leaseExpiresAt: null,
  ...over,
});

const runner = (over: Partial<RunnerFacts> = {}): RunnerFacts => ({
  enabled: true,
  paused: false,
  brain: 'anthropic',
  brainPaused: false,
  brainResumesAt: null,
  ...over,
});

describe(whyNotTicking.name, () => {
  it('should say nothing when the persona will tick at its next due time', () => {
    expect(whyNotTicking(facts(), runner(), WEDNESDAY, GRACE)).toBeNull();
    // due a moment ago: the next firing claims it
    expect(
      whyNotTicking(facts({ nextDueAt: at('2025-11-19T11:58:00Z') }), runner(), WEDNESDAY, GRACE),
    ).toBeNull();
  });

  it('should say nothing while the persona is ticking (its lease is live), however late', () => {
    const ticking = facts({
      nextDueAt: at('2025-11-18T00:00:00Z'),
      leaseExpiresAt: at('2025-11-19T12:05:00Z'),
    });
    expect(whyNotTicking(ticking, runner(), WEDNESDAY, GRACE)).toBeNull();
  });

  it('should name a disabled account first, since when', () => {
    const disabled = facts({ disabledAt: at('2025-11-10T08:00:00Z') });
    expect(whyNotTicking(disabled, runner({ paused: true }), WEDNESDAY, GRACE)).toEqual({
      reason: 'disabled',
      detail: expect.stringContaining('disabled'),
      since: at('2025-11-10T08:00:00Z'),
      until: null,
    });
  });

  it("should name this server's paused runner before anything about the persona", () => {
    const why = whyNotTicking(facts({ consecutiveFailures: 3 }), runner({ paused: true }), WEDNESDAY, GRACE);
    expect(why).toMatchObject({ reason: 'paused', since: null, until: null });
    expect(why?.detail).toContain('resumed');
  });

  it('should name a brain paused by the daily budget with when it resumes', () => {
    const resumes = at('2025-11-20T00:00:00Z');
    const why = whyNotTicking(
      facts(),
      runner({ brainPaused: true, brainResumesAt: resumes }),
      WEDNESDAY,
      GRACE,
    );
    expect(why).toMatchObject({ reason: 'brain_paused', until: resumes });
    expect(why?.detail).toContain('DAILY_BUDGET_USD');
  });

  it('should name a brain the LLM API refused as paused until an admin resumes it', () => {
    const why = whyNotTicking(facts(), runner({ brainPaused: true }), WEDNESDAY, GRACE);
    expect(why).toMatchObject({ reason: 'brain_paused', until: null });
    expect(why?.detail).toContain('until an admin resumes');
  });

  it('should name the weekday rule on a weekend in the persona’s own timezone, with the weekday and zone', () => {
    const why = whyNotTicking(
      facts({ tickCadence: 'weekdays', timezone: 'Europe/Berlin' }),
      runner(),
      SATURDAY,
      GRACE,
    );
    // Monday 00:00 in Berlin (CET, +1) is Sunday 23:00 UTC
    expect(why).toMatchObject({ reason: 'weekday_rule', until: at('2025-11-23T23:00:00Z') });
    expect(why?.detail).toContain('Saturday in Europe/Berlin');
  });

  it('should judge the weekend on the persona’s clock: Friday evening in Los Angeles is Saturday in Auckland', () => {
    const fridayEveningLa = at('2025-11-22T03:00:00Z'); // Fri 19:00 in LA, Sat 16:00 in Auckland
    const la = facts({ tickCadence: 'weekdays', timezone: 'America/Los_Angeles', nextDueAt: null });
    const nz = facts({ tickCadence: 'weekdays', timezone: 'Pacific/Auckland', nextDueAt: null });
    expect(whyNotTicking(la, runner(), fridayEveningLa, GRACE)?.reason).not.toBe('weekday_rule');
    expect(whyNotTicking(nz, runner(), fridayEveningLa, GRACE)).toMatchObject({
      reason: 'weekday_rule',
      detail: expect.stringContaining('Saturday in Pacific/Auckland'),
      until: at('2025-11-23T11:00:00Z'), // Mon 00:00 NZDT (+13)
    });
  });

  it('should not apply the weekday rule to a daily persona on a weekend', () => {
    expect(
      whyNotTicking(facts({ nextDueAt: at('2025-11-22T18:00:00Z') }), runner(), SATURDAY, GRACE),
    ).toBeNull();
  });

  it('should name the backoff after consecutive failures, until the stored next due time', () => {
    const until = at('2025-11-19T12:04:00Z');
    const why = whyNotTicking(
      facts({ consecutiveFailures: 3, nextDueAt: until }),
      runner(),
      WEDNESDAY,
      GRACE,
    );
    expect(why).toMatchObject({ reason: 'backoff', since: null, until });
    expect(why?.detail).toContain('last 3 ticks failed, so it waits 4 min');
  });

  it('should not call a failed persona backed off once its retry time has come', () => {
    const due = facts({ consecutiveFailures: 2, nextDueAt: at('2025-11-19T11:59:00Z') });
    expect(whyNotTicking(due, runner(), WEDNESDAY, GRACE)).toBeNull();
  });

  it('should call a persona overdue when it waited past the grace unclaimed, since when it fell due', () => {
    const since = at('2025-11-19T11:30:00Z');
    const why = whyNotTicking(facts({ nextDueAt: since }), runner(), WEDNESDAY, GRACE);
    expect(why).toMatchObject({ reason: 'overdue', since, until: null });
    expect(why?.detail).toContain('30 min ago');
  });

  it('should count a never-ticked persona as due since its creation', () => {
    const why = whyNotTicking(facts({ nextDueAt: null }), runner(), WEDNESDAY, GRACE);
    expect(why).toMatchObject({ reason: 'overdue', since: at('2025-11-01T00:00:00Z') });
  });

  it('should say an overdue persona waits on a runner that is off here (RUNNER_ENABLED=false)', () => {
    const why = whyNotTicking(
      facts({ nextDueAt: at('2025-11-19T10:00:00Z') }),
      runner({ enabled: false }),
      WEDNESDAY,
      GRACE,
    );
    expect(why?.reason).toBe('overdue');
    expect(why?.detail).toContain('RUNNER_ENABLED=false');
  });

  it('should count a weekdays persona held over the weekend as due only from Monday 00:00 there', () => {
    const monday = at('2025-11-24T00:03:00Z');
    const heldOver = facts({ tickCadence: 'weekdays', nextDueAt: at('2025-11-22T09:00:00Z') });
    expect(whyNotTicking(heldOver, runner(), monday, GRACE)).toBeNull();
    expect(whyNotTicking(heldOver, runner(), at('2025-11-24T00:30:00Z'), GRACE)).toMatchObject({
      reason: 'overdue',
      since: at('2025-11-24T00:00:00Z'),
    });
  });

  it('should judge only the persona’s own facts in a process without a runner', () => {
    expect(whyNotTicking(facts(), undefined, WEDNESDAY, GRACE)).toBeNull();
  });
});

describe(effectiveNextDueAt.name, () => {
  it('should answer next_due_at as stored for hourly and daily personas, null included', () => {
    expect(effectiveNextDueAt(facts(), SATURDAY)).toEqual(at('2025-11-19T18:00:00Z'));
    expect(effectiveNextDueAt(facts({ nextDueAt: null }), SATURDAY)).toBeNull();
  });

  it('should answer a weekdays persona’s stored time on a weekday', () => {
    const weekdays = facts({ tickCadence: 'weekdays', nextDueAt: null });
    expect(effectiveNextDueAt(weekdays, WEDNESDAY)).toBeNull();
    const later = at('2025-11-20T12:00:00Z');
    expect(effectiveNextDueAt({ ...weekdays, nextDueAt: later }, WEDNESDAY)).toEqual(later);
  });

  it('should move a weekdays persona due now on a weekend to Monday 00:00 in its timezone', () => {
    const weekdays = facts({ tickCadence: 'weekdays', timezone: 'America/New_York', nextDueAt: null });
    // Monday 00:00 EST (−5) is 05:00 UTC
    expect(effectiveNextDueAt(weekdays, SATURDAY)).toEqual(at('2025-11-24T05:00:00Z'));
    const passed = { ...weekdays, nextDueAt: at('2025-11-21T15:00:00Z') };
    expect(effectiveNextDueAt(passed, SATURDAY)).toEqual(at('2025-11-24T05:00:00Z'));
  });
});
