import { randomUUID } from 'node:crypto';
import { PersonasInternalController } from '../../src/personas/api/personas-internal.controller.js';
import { PersonaScheduleService } from '../../src/personas/schedule/persona-schedule.service.js';
import { http } from '../support/http.js';
import { createPersona } from '../support/personas.js';
import type { TestApp } from '../support/test-app.js';
import { bootRunnerApp, parkAllPersonas, personaRow, runnerPersona } from './runner.fixtures.js';

const BASE = '/api/v1/personas/internal';

describe(`${PersonasInternalController.name} remote-runner protocol`, () => {
  let t: TestApp;
  let key: { headers: Record<string, string> };

  beforeAll(async () => {
    t = await bootRunnerApp();
    key = { headers: { 'x-service-key': t.config.serviceKey } };
  });
  afterAll(async () => {
    await parkAllPersonas(t);
    await t.close();
  });
  beforeEach(() => parkAllPersonas(t));

  const claim = (limit: unknown, extra: Record<string, unknown> = {}) =>
    http(t.url, 'POST', `${BASE}/claims`, { ...key, body: { limit, ...extra } });
  const finishBody = (leaseToken: string, extra: Record<string, unknown> = {}) => ({
    leaseToken,
    status: 'ok',
    toolCalls: 2,
    tokensIn: 10,
    tokensOut: 5,
    costUsd: 0.001,
    ...extra,
  });
  const count = async (table: string, tickId: string) =>
    (await t.dataSource.query(`SELECT count(*)::int AS n FROM ${table} WHERE tick_id = $1`, [tickId]))[0]
      .n as number;

  it('should refuse every new route without the service key (401)', async () => {
    const tick = randomUUID();
    const lease = randomUUID();
    for (const [path, body] of [
      [`${BASE}/claims`, { limit: 1 }],
      [`${BASE}/ticks/${tick}/extend`, { leaseToken: lease }],
      [`${BASE}/ticks/${tick}/finish`, finishBody(lease)],
    ] as const) {
      const anonymous = await http(t.url, 'POST', path, { body });
      expect({ path, status: anonymous.status }).toEqual({ path, status: 401 });
      const wrong = await http(t.url, 'POST', path, {
        headers: { 'x-service-key': `${t.config.serviceKey.slice(0, -1)}x` },
        body,
      });
      expect({ path, status: wrong.status }).toEqual({ path, status: 401 });
    }
  });

  it.each([
    [{ limit: 0 }, 'limit must be an integer from 1 to 50'],
    [{ limit: 51 }, 'limit must be an integer from 1 to 50'],
    [{ limit: 2.5 }, 'limit must be an integer from 1 to 50'],
    [{}, 'limit must be an integer from 1 to 50'],
    [{ limit: 1, exclude: ['nope'] }, 'exclude must contain only UUIDs'],
    [{ limit: 1, brain: 'Not A Brain!' }, 'brain must be 1–32 characters'],
    [{ limit: 1, surprise: true }, 'property surprise should not exist'],
  ])('should answer 400 to the claim body %j naming the field', async (body, message) => {
    const res = await http(t.url, 'POST', `${BASE}/claims`, { ...key, body });
    expect(res.status).toBe(400);
    expect(JSON.stringify(res.body.message)).toContain(message);
  });

  it('should answer 400 naming the fields of a bad extend or finish', async () => {
    const tick = randomUUID();
    const extend = await http(t.url, 'POST', `${BASE}/ticks/${tick}/extend`, { ...key, body: {} });
    expect(extend.status).toBe(400);
    expect(JSON.stringify(extend.body.message)).toContain('leaseToken must be a UUID');
    const badId = await http(t.url, 'POST', `${BASE}/ticks/nope/finish`, {
      ...key,
      body: finishBody(randomUUID()),
    });
    expect(badId.status).toBe(400);
    expect(JSON.stringify(badId.body.message)).toContain('tickId must be a UUID');
    const finish = await http(t.url, 'POST', `${BASE}/ticks/${tick}/finish`, {
      ...key,
      body: finishBody(randomUUID(), { status: 'running', toolCalls: -1, costUsd: 'x', error: 5 }),
    });
    expect(finish.status).toBe(400);
    const message = JSON.stringify(finish.body.message);
    for (const field of ['status must be one of', 'toolCalls must be', 'costUsd must be', 'error must be'])
      expect(message).toContain(field);
  });

  it('should claim due personas with their profile, tick and lease, and no password or secret', async () => {
    const p = await createPersona(t, runnerPersona({ tickCadence: 'daily', timezone: 'Europe/Berlin' }));
    const res = await claim(5, { runnerId: 'remote-test', brain: 'scripted' });
    expect(res.status).toBe(200);
    expect(res.body.items).toHaveLength(1);
    const [item] = res.body.items;
    expect(item).toEqual({
      tickId: expect.any(String),
      leaseToken: expect.any(String),
      leaseExpiresAt: expect.any(String),
      claimedAt: expect.any(String),
      userId: p.userId,
      email: p.email,
      archetype: expect.any(String),
      systemPrompt: expect.any(String),
      moduleMix: { todo: 3, notes: 2, journal: 1 },
      timezone: 'Europe/Berlin',
      cadence: 'daily',
      consecutiveFailures: 0,
    });
    expect(res.text).not.toContain(p.password);
    expect(res.text).not.toContain(t.config.personaSeedSecret);
    expect(res.text).not.toContain(t.config.serviceKey);
    const leaseMs = Date.parse(item.leaseExpiresAt) - Date.parse(item.claimedAt);
    expect(Math.abs(leaseMs - t.config.leaseMs)).toBeLessThan(1000);
    const row = await personaRow(t, p.userId);
    expect(row).toMatchObject({ lease_owner: 'remote-test', lease_token: item.leaseToken });
    const [tick] = await t.dataSource.query(`SELECT * FROM persona_ticks WHERE id = $1`, [item.tickId]);
    expect(tick).toMatchObject({ persona_id: p.userId, status: 'running', brain: 'scripted' });
    // leased: nobody claims it again
    expect((await claim(5)).body.items).toEqual([]);
  });

  it('should extend the lease, then finish with the next due time computed by the server', async () => {
    const p = await createPersona(t, runnerPersona({ tickCadence: 'daily' }));
    const [item] = (await claim(1)).body.items;
    await new Promise((r) => setTimeout(r, 20));
    const extended = await http(t.url, 'POST', `${BASE}/ticks/${item.tickId}/extend`, {
      ...key,
      body: { leaseToken: item.leaseToken },
    });
    expect(extended.status).toBe(200);
    expect(Date.parse(extended.body.leaseExpiresAt)).toBeGreaterThan(Date.parse(item.leaseExpiresAt));
    const finished = await http(t.url, 'POST', `${BASE}/ticks/${item.tickId}/finish`, {
      ...key,
      body: finishBody(item.leaseToken),
    });
    expect(finished.status).toBe(200);
    expect(finished.body).toMatchObject({ tickId: item.tickId, status: 'ok' });
    const hoursAhead = (Date.parse(finished.body.nextDueAt) - Date.now()) / 3_600_000;
    expect(hoursAhead).toBeGreaterThan(23.9);
    const row = await personaRow(t, p.userId);
    expect(row).toMatchObject({ lease_token: null, lease_owner: null, consecutive_failures: 0 });
    const [tick] = await t.dataSource.query(`SELECT * FROM persona_ticks WHERE id = $1`, [item.tickId]);
    expect(tick).toMatchObject({ status: 'ok', tool_calls: 2, tokens_in: 10, tokens_out: 5 });
  });

  it('should answer 409 to a stale lease token on finish, extend, actions, feedback and findings, writing nothing', async () => {
    const p = await createPersona(t, runnerPersona());
    const [old] = (await claim(1)).body.items;
    // the lease lapses and another runner takes the persona over
    await t.dataSource.query(
      `UPDATE personas SET lease_expires_at = now() - interval '1 second' WHERE user_id = $1`,
      [p.userId],
    );
    const [current] = (await claim(1, { runnerId: 'taker' })).body.items;
    expect(current.userId).toBe(p.userId);
    expect(current.leaseToken).not.toBe(old.leaseToken);
    const before = await personaRow(t, p.userId);

    const stale = old.leaseToken as string;
    const answers = {
      finish: await http(t.url, 'POST', `${BASE}/ticks/${old.tickId}/finish`, {
        ...key,
        body: finishBody(stale),
      }),
      extend: await http(t.url, 'POST', `${BASE}/ticks/${old.tickId}/extend`, {
        ...key,
        body: { leaseToken: stale },
      }),
      actions: await http(t.url, 'POST', `${BASE}/${p.userId}/actions`, {
        ...key,
        body: {
          leaseToken: stale,
          actions: [{ tickId: old.tickId, seq: 1, toolName: 'todo.list', result: 'ok' }],
        },
      }),
      feedback: await http(t.url, 'POST', `${BASE}/${p.userId}/feedback`, {
        ...key,
        body: { leaseToken: stale, feedback: [{ tickId: old.tickId, module: 'todo', rating: 3 }] },
      }),
      findings: await http(t.url, 'POST', `${BASE}/${p.userId}/findings`, {
        ...key,
        body: {
          leaseToken: stale,
          findings: [
            {
              tickId: old.tickId,
              seq: 1,
              module: 'todo',
              tool: 'todo.list',
              class: 'wrong_result',
              check: 'rw.list',
              expected: 'a',
              got: 'b',
              source: 'oracle',
            },
          ],
        },
      }),
      // the current holder's token does not open the old tick either
      wrongTick: await http(t.url, 'POST', `${BASE}/${p.userId}/actions`, {
        ...key,
        body: {
          leaseToken: current.leaseToken,
          actions: [{ tickId: old.tickId, seq: 1, toolName: 'todo.list', result: 'ok' }],
        },
      }),
    };
    for (const [route, res] of Object.entries(answers)) {
      expect({ route, status: res.status }).toEqual({ route, status: 409 });
      expect(res.body.message).toContain('lease token is not');
    }
    for (const table of ['persona_actions', 'persona_feedback', 'persona_findings'])
      expect(await count(table, old.tickId)).toBe(0);
    const after = await personaRow(t, p.userId);
    expect(after).toMatchObject({
      lease_token: current.leaseToken,
      lease_owner: 'taker',
      next_due_at: before.next_due_at,
      consecutive_failures: before.consecutive_failures,
    });
    expect(after.lease_expires_at).toEqual(before.lease_expires_at);
    const [oldTick] = await t.dataSource.query(`SELECT status, tool_calls FROM persona_ticks WHERE id = $1`, [
      old.tickId,
    ]);
    expect(oldTick).toEqual({ status: 'failed', tool_calls: 0 });

    // the current holder writes and finishes; afterwards its own token is stale too
    const ok = await http(t.url, 'POST', `${BASE}/${p.userId}/actions`, {
      ...key,
      body: {
        leaseToken: current.leaseToken,
        actions: [{ tickId: current.tickId, seq: 1, toolName: 'todo.list', result: 'ok' }],
      },
    });
    expect(ok.status).toBe(200);
    expect(ok.body).toEqual({ inserted: 1, duplicates: 0 });
    const done = await http(t.url, 'POST', `${BASE}/ticks/${current.tickId}/finish`, {
      ...key,
      body: finishBody(current.leaseToken),
    });
    expect(done.status).toBe(200);
    const again = await http(t.url, 'POST', `${BASE}/ticks/${current.tickId}/finish`, {
      ...key,
      body: finishBody(current.leaseToken, { status: 'failed' }),
    });
    expect(again.status).toBe(409);
    const late = await http(t.url, 'POST', `${BASE}/${p.userId}/actions`, {
      ...key,
      body: {
        leaseToken: current.leaseToken,
        actions: [{ tickId: current.tickId, seq: 2, toolName: 'todo.list', result: 'ok' }],
      },
    });
    expect(late.status).toBe(409);
    expect(await count('persona_actions', current.tickId)).toBe(1);
  });

  it('should skip disabled accounts in claimDue, as /due does', async () => {
    const on = await createPersona(t, runnerPersona());
    const off = await createPersona(t, runnerPersona());
    await t.dataSource.query(`UPDATE users SET disabled_at = now() WHERE id = $1`, [off.userId]);
    const due = await http(t.url, 'GET', `${BASE}/due?limit=200`, key);
    expect(due.body.items.map((i: { userId: string }) => i.userId)).not.toContain(off.userId);
    const claimed = await t.app.get(PersonaScheduleService).claimDue('disabled-test', 60_000, 50);
    expect(claimed.map((c) => c.userId)).toEqual([on.userId]);
    const remote = await claim(50);
    expect(remote.body.items).toEqual([]);
    expect((await personaRow(t, off.userId)).lease_token).toBeNull();
  });
});
