import { UsersService } from '../../src/auth/users/users.service.js';
import { isWeekend } from '../../src/personas/schedule/due-rules.js';
import { PersonasAdminController } from '../../src/personas/api/personas-admin.controller.js';
import { PersonaScheduleService } from '../../src/personas/schedule/persona-schedule.service.js';
import type { TestApp } from '../support/test-app.js';
import { http } from '../support/http.js';
import { createAdmin } from '../support/factories.js';
import type { TestUser } from '../support/factories.js';
import { ADMIN_BASE, createPersona } from '../support/personas.js';
import { leaseTick } from '../support/leases.js';
import { bootPersonasApp } from './personas-support.js';

/*
 * nextDueAt and notTicking on the admin list and detail. The schedule columns are set with SQL: only
 * a tick's fenced finish writes next_due_at and consecutive_failures, and these tests need a backoff
 * or a wait of a known length now, not after a real failing tick and an hour. The suite's server
 * runs with RUNNER_ENABLED=false (test/support/global-setup.js), as a server whose remote runners do
 * the ticking would.
 */
describe(`${PersonasAdminController.name} nextDueAt and notTicking`, () => {
  let t: TestApp;
  let admin: TestUser;

  const detail = async (id: string) => {
    const res = await http(t.url, 'GET', `${ADMIN_BASE}/${id}`, { token: admin.accessToken });
    expect(res.status).toBe(200);
    return res.body.persona;
  };
  const listItem = async (id: string) => {
    const res = await http(t.url, 'GET', `${ADMIN_BASE}?limit=200`, { token: admin.accessToken });
    expect(res.status).toBe(200);
    return res.body.items.find((p: { userId: string }) => p.userId === id);
  };
  const schedule = (id: string, set: string) =>
    t.dataSource.query(`UPDATE personas SET ${set} WHERE user_id = $1`, [id]);
  const storedDue = async (id: string): Promise<string> => {
    const [row] = await t.dataSource.query(`SELECT next_due_at FROM personas WHERE user_id = $1`, [id]);
    return new Date(row.next_due_at).toISOString();
  };
  const persona = async (overrides: Record<string, unknown> = {}) =>
    (await createPersona(t, { timezone: 'UTC', ...overrides }, admin)).userId;

  beforeAll(async () => {
    t = await bootPersonasApp();
    admin = await createAdmin(t);
  });
  afterAll(() => t.close());

  it('should call a new persona due now with nothing holding it back, in the list and the detail', async () => {
    const id = await persona();
    expect(await detail(id)).toMatchObject({ nextDueAt: null, notTicking: null });
    expect(await listItem(id)).toMatchObject({ nextDueAt: null, notTicking: null });
  });

  it('should name the backoff after consecutive failures, until the stored next due time', async () => {
    const id = await persona();
    await schedule(id, `consecutive_failures = 3, next_due_at = now() + interval '4 minutes'`);
    const due = await storedDue(id);
    const expected = {
      nextDueAt: due,
      notTicking: {
        reason: 'backoff',
        detail: expect.stringContaining('last 3 ticks failed'),
        since: null,
        until: due,
      },
    };
    expect(await detail(id)).toMatchObject(expected);
    expect(await listItem(id)).toMatchObject(expected);
  });

  it('should call a persona overdue when it waited unclaimed, and say this server runs no schedule', async () => {
    const id = await persona();
    await schedule(id, `next_due_at = now() - interval '1 hour'`);
    const due = await storedDue(id);
    const p = await detail(id);
    expect(p).toMatchObject({ nextDueAt: due, notTicking: { reason: 'overdue', since: due, until: null } });
    expect(p.notTicking.detail).toContain('RUNNER_ENABLED=false');
  });

  it('should say nothing while the persona is being ticked, however late it is', async () => {
    const id = await persona();
    await schedule(id, `next_due_at = now() - interval '1 hour'`);
    const { leaseToken } = await leaseTick(t, id);
    try {
      expect((await detail(id)).notTicking).toBeNull();
    } finally {
      await t.app.get(PersonaScheduleService).release(id, leaseToken);
    }
  });

  it('should name a disabled account, since its disabling', async () => {
    const id = await persona();
    await t.app.get(UsersService).disable(id);
    const [row] = await t.dataSource.query(`SELECT disabled_at FROM users WHERE id = $1`, [id]);
    expect((await detail(id)).notTicking).toEqual({
      reason: 'disabled',
      detail: expect.stringContaining('disabled'),
      since: new Date(row.disabled_at).toISOString(),
      until: null,
    });
  });

  it("should name this server's paused runner for every persona until it resumes", async () => {
    const id = await persona();
    const pause = await http(t.url, 'POST', `${ADMIN_BASE}/runner/pause`, { token: admin.accessToken });
    expect(pause.status).toBeLessThan(300);
    try {
      expect((await detail(id)).notTicking).toMatchObject({ reason: 'paused', until: null });
      expect((await listItem(id)).notTicking).toMatchObject({ reason: 'paused' });
    } finally {
      await http(t.url, 'POST', `${ADMIN_BASE}/runner/resume`, { token: admin.accessToken });
    }
    expect((await detail(id)).notTicking).toBeNull();
  });

  /*
   * The weekday rule reads the database's clock, so which branch runs depends on when the suite runs:
   * a zone where it is the weekend now (if any) and one where it is a weekday (if any). The rule
   * itself, on fixed dates, is in src/personas/schedule/not-ticking.spec.ts.
   */
  const ZONES = [
    'Pacific/Kiritimati',
    'Pacific/Auckland',
    'Asia/Tokyo',
    'Europe/Berlin',
    'UTC',
    'America/New_York',
    'America/Los_Angeles',
    'Pacific/Pago_Pago',
  ];

  it('should hold a weekdays persona on its weekend until Monday 00:00 there, naming the day and zone', async () => {
    const now = new Date();
    const weekend = ZONES.find((z) => isWeekend(now, z) && isWeekend(new Date(now.getTime() + 60_000), z));
    const weekday = ZONES.find((z) => !isWeekend(now, z) && !isWeekend(new Date(now.getTime() + 60_000), z));
    if (weekend) {
      const id = await persona({ tickCadence: 'weekdays', timezone: weekend });
      const p = await detail(id);
      expect(p.notTicking).toMatchObject({ reason: 'weekday_rule', since: null });
      expect(p.notTicking.detail).toMatch(new RegExp(`it is (Saturday|Sunday) in ${weekend}`));
      expect(p.nextDueAt).toBe(p.notTicking.until);
      expect(Date.parse(p.nextDueAt)).toBeGreaterThan(now.getTime());
      expect(isWeekend(new Date(p.nextDueAt), weekend)).toBe(false);
      expect(isWeekend(new Date(Date.parse(p.nextDueAt) - 60_000), weekend)).toBe(true);
    }
    if (weekday) {
      const id = await persona({ tickCadence: 'weekdays', timezone: weekday });
      expect(await detail(id)).toMatchObject({ nextDueAt: null, notTicking: null });
    }
    expect(weekend ?? weekday).toBeDefined();
  });

  it('should document nextDueAt and notTicking in the OpenAPI description', async () => {
    const res = await http(t.url, 'GET', '/api/docs-json');
    const schemas = res.body.components.schemas;
    expect(schemas.NotTickingDto.properties.reason.enum).toEqual([
      'disabled',
      'paused',
      'brain_paused',
      'weekday_rule',
      'backoff',
      'overdue',
    ]);
    expect(Object.keys(schemas.PersonaListItemDto.properties)).toEqual(
      expect.arrayContaining(['nextDueAt', 'notTicking']),
    );
    expect(Object.keys(schemas.PersonaDetailRecordDto.properties)).toEqual(
      expect.arrayContaining(['nextDueAt', 'notTicking']),
    );
  });
});
