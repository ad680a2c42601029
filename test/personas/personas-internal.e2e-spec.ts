import { randomUUID } from 'node:crypto';
import { PersonasInternalController } from '../../src/personas/api/personas-internal.controller.js';
import type { TestApp } from '../support/test-app.js';
import { http } from '../support/http.js';
import { createAdmin, registerUser } from '../support/factories.js';
import type { TestUser } from '../support/factories.js';
import { createPersona, loginPersona } from '../support/personas.js';
import { INTERNAL_BASE, bootPersonasApp, expiredToken } from './personas-support.js';
import { TickLeases, leaseTick } from '../support/leases.js';

describe(PersonasInternalController.name, () => {
  let t: TestApp;
  let admin: TestUser;
  let personaId: string;
  let key: { headers: Record<string, string> };

  beforeAll(async () => {
    t = await bootPersonasApp();
    admin = await createAdmin(t);
    personaId = (await createPersona(t, {}, admin)).userId;
    key = { headers: { 'x-service-key': t.config.serviceKey } };
  });
  afterAll(() => t.close());

  const action = (tickId: string, seq: number, extra: Record<string, unknown> = {}) => ({
    tickId,
    seq,
    toolName: 'todo.create',
    inputHash: `h${seq}`,
    result: 'ok',
    latencyMs: 12,
    ...extra,
  });
  /**
   * Rows are accepted only for a tick running under the persona's current lease (fencing): each test
   * opens its own tick, and the helpers send that tick's lease token unless the body carries one.
   */
  const leases = new TickLeases();
  const newTick = (id = personaId): Promise<string> => leases.open(t, id);
  const leased = (body: unknown) => leases.sign(body);
  const postActions = (body: unknown, id = personaId, auth = key) =>
    http(t.url, 'POST', `${INTERNAL_BASE}/${id}/actions`, { ...auth, body: leased(body) });
  const postFeedback = (body: unknown, id = personaId, auth = key) =>
    http(t.url, 'POST', `${INTERNAL_BASE}/${id}/feedback`, { ...auth, body: leased(body) });
  const countWhere = async (table: string, sql: string, params: unknown[]) =>
    (await t.dataSource.query(`SELECT count(*)::int AS n FROM ${table} WHERE ${sql}`, params))[0].n as number;

  describe('access', () => {
    it('should accept only the service key on every internal route', async () => {
      const persona = await loginPersona(t, await createPersona(t, {}, admin));
      const human = await registerUser(t);
      const callers: Array<[string, { token?: string; headers?: Record<string, string> }]> = [
        ['anonymous', {}],
        ['human', { token: human.accessToken }],
        ['persona', { token: persona.accessToken }],
        ['admin', { token: admin.accessToken }],
        ['expired admin token', { token: await expiredToken(t, admin) }],
        ['wrong service key', { headers: { 'x-service-key': `${t.config.serviceKey.slice(0, -1)}x` } }],
      ];
      const tick = await newTick();
      const routes: Array<[string, string, unknown]> = [
        ['GET', `${INTERNAL_BASE}/due`, undefined],
        ['POST', `${INTERNAL_BASE}/${personaId}/actions`, leased({ actions: [action(tick, 0)] })],
        [
          'POST',
          `${INTERNAL_BASE}/${personaId}/feedback`,
          leased({ feedback: [{ tickId: tick, module: 'todo', rating: 3 }] }),
        ],
      ];
      for (const [method, path, body] of routes) {
        for (const [who, auth] of callers) {
          const res = await http(t.url, method, path, { ...auth, body });
          expect({ who, path, status: res.status }).toEqual({ who, path, status: 401 });
        }
        const ok = await http(t.url, method, path, { ...key, body });
        expect(ok.status).toBe(200);
      }
      expect(await countWhere('persona_actions', 'tick_id = $1', [tick])).toBe(1);
    });
  });

  describe('GET /due', () => {
    it("should list a new persona as due and follow next_due_at and the lease by the database's clock", async () => {
      const id = (await createPersona(t, { tickCadence: 'daily' }, admin)).userId;
      const dueIds = async () => {
        const res = await http(t.url, 'GET', `${INTERNAL_BASE}/due?limit=200`, key);
        expect(res.status).toBe(200);
        return res.body.items.map((i: { userId: string }) => i.userId) as string[];
      };
      expect(await dueIds()).toContain(id);
      const item = (await http(t.url, 'GET', `${INTERNAL_BASE}/due?limit=200`, key)).body.items.find(
        (i: { userId: string }) => i.userId === id,
      );
      expect(item).toMatchObject({ tickCadence: 'daily', systemPrompt: expect.any(String), nextDueAt: null });
      await t.dataSource.query(
        `UPDATE personas SET next_due_at = now() + interval '1 minute' WHERE user_id = $1`,
        [id],
      );
      expect(await dueIds()).not.toContain(id);
      await t.dataSource.query(
        `UPDATE personas SET next_due_at = now() - interval '1 second' WHERE user_id = $1`,
        [id],
      );
      expect(await dueIds()).toContain(id);
      await t.dataSource.query(
        `UPDATE personas SET lease_owner = 'x', lease_expires_at = now() + interval '5 minutes' WHERE user_id = $1`,
        [id],
      );
      expect(await dueIds()).not.toContain(id);
      await t.dataSource.query(
        `UPDATE personas SET lease_expires_at = now() - interval '1 second' WHERE user_id = $1`,
        [id],
      );
      expect(await dueIds()).toContain(id);
    });

    it('should hold a weekdays persona back on its own weekend', async () => {
      const zone = 'Pacific/Kiritimati';
      const id = (await createPersona(t, { tickCadence: 'weekdays', timezone: zone }, admin)).userId;
      const day = new Intl.DateTimeFormat('en-US', { timeZone: zone, weekday: 'short' }).format(new Date());
      const res = await http(t.url, 'GET', `${INTERNAL_BASE}/due?limit=200`, key);
      const ids = res.body.items.map((i: { userId: string }) => i.userId);
      if (day === 'Sat' || day === 'Sun') expect(ids).not.toContain(id);
      else expect(ids).toContain(id);
    });

    it('should answer 400 to a bad limit', async () => {
      const res = await http(t.url, 'GET', `${INTERNAL_BASE}/due?limit=0`, key);
      expect(res.status).toBe(400);
      expect(res.body.message).toMatch(/limit must be an integer/);
    });
  });

  describe('POST /:id/actions', () => {
    it('should store a batch once and count a repeat as duplicates', async () => {
      const tick = await newTick();
      const body = {
        actions: [
          action(tick, 0),
          action(tick, 1, {
            toolName: 'notes.search',
            result: 'error',
            errorKind: 'tool',
            errorMessage: 'no',
          }),
          action(tick, 2, { toolName: 'journal.add', inputHash: undefined, latencyMs: undefined }),
        ],
      };
      const first = await postActions(body);
      expect(first.status).toBe(200);
      expect(first.body).toEqual({ inserted: 3, duplicates: 0 });
      const again = await postActions(body);
      expect(again.body).toEqual({ inserted: 0, duplicates: 3 });
      const rows = await t.dataSource.query(
        `SELECT id, module, result, error_kind, input_hash, latency_ms FROM persona_actions WHERE tick_id = $1 ORDER BY seq`,
        [tick],
      );
      expect(rows).toEqual([
        {
          id: `${tick}-0-todo.create`,
          module: 'todo',
          result: 'ok',
          error_kind: null,
          input_hash: 'h0',
          latency_ms: 12,
        },
        {
          id: `${tick}-1-notes.search`,
          module: 'notes',
          result: 'error',
          error_kind: 'tool',
          input_hash: 'h1',
          latency_ms: 12,
        },
        {
          id: `${tick}-2-journal.add`,
          module: 'journal',
          result: 'ok',
          error_kind: null,
          input_hash: null,
          latency_ms: null,
        },
      ]);
    });

    it('should write exactly one row each for 50 identical posts at once, all answered 2xx', async () => {
      const tick = await newTick();
      const body = {
        actions: [action(tick, 0), action(tick, 1), action(tick, 2, { toolName: 'habits.list' })],
      };
      const answers = await Promise.all(Array.from({ length: 50 }, () => postActions(body)));
      expect(answers.map((a) => a.status)).toEqual(Array(50).fill(200));
      expect(answers.reduce((sum, a) => sum + a.body.inserted, 0)).toBe(3);
      for (const a of answers) expect(a.body.inserted + a.body.duplicates).toBe(3);
      expect(await countWhere('persona_actions', 'tick_id = $1', [tick])).toBe(3);
    });

    it('should refuse the same id with a different payload with 422 and keep the stored row', async () => {
      const tick = await newTick();
      await postActions({ actions: [action(tick, 0)] });
      const [before] = await t.dataSource.query(`SELECT * FROM persona_actions WHERE id = $1`, [
        `${tick}-0-todo.create`,
      ]);
      const res = await postActions({
        actions: [action(tick, 5), action(tick, 0, { result: 'error', errorKind: 'timeout' })],
      });
      expect(res.status).toBe(422);
      expect(res.body.message).toContain(`actions[1]: id ${tick}-0-todo.create was already recorded`);
      expect(res.body.message).toMatch(/result, errorKind/);
      const [after] = await t.dataSource.query(`SELECT * FROM persona_actions WHERE id = $1`, [
        `${tick}-0-todo.create`,
      ]);
      expect(after).toEqual(before);
      // the whole batch was refused: the new row of it was not written either
      expect(await countWhere('persona_actions', 'tick_id = $1', [tick])).toBe(1);
    });

    it('should refuse an id recorded for another persona', async () => {
      // fencing comes first: a tick of this persona is never under the other persona's lease (409)
      const other = (await createPersona(t, {}, admin)).userId;
      const { leaseToken: otherLease } = await leaseTick(t, other);
      const tick = await newTick();
      await postActions({ actions: [action(tick, 0)] });
      const res = await postActions({ actions: [action(tick, 0)] }, other);
      expect(res.status).toBe(409);
      expect(res.body.message).toContain(`tick ${tick}: the lease token is not the current lease`);
      // with the other persona's own live lease too: the tick is not under it
      const res2 = await postActions({ leaseToken: otherLease, actions: [action(tick, 0)] }, other);
      expect(res2.status).toBe(409);
      expect(await countWhere('persona_actions', 'tick_id = $1 AND persona_id = $2', [tick, other])).toBe(0);
    });

    it('should accept 500 rows and refuse 501 with 400', async () => {
      const tick = await newTick();
      const rows = Array.from({ length: 501 }, (_, i) => action(tick, i));
      const tooMany = await postActions({ actions: rows });
      expect(tooMany.status).toBe(400);
      expect(tooMany.body.message).toMatch(/actions must contain at most 500 rows/);
      expect(await countWhere('persona_actions', 'tick_id = $1', [tick])).toBe(0);
      const enough = await postActions({ actions: rows.slice(0, 500) });
      expect(enough.status).toBe(200);
      expect(enough.body).toEqual({ inserted: 500, duplicates: 0 });
    });

    it.each(
      [
        [{ seq: -1 }, 'actions[1].seq must be an integer ≥ 0'],
        [{ seq: 1.5 }, 'actions[1].seq must be an integer ≥ 0'],
        [{ seq: '2' }, 'actions[1].seq must be an integer ≥ 0'],
        [{ tickId: 'nope' }, 'actions[1].tickId must be a UUID'],
        [{ result: 'maybe' }, 'actions[1].result must be "ok" or "error"'],
        [
          { result: 'error', errorKind: 'cosmic' },
          'actions[1].errorKind must be one of protocol, tool, timeout',
        ],
        [{ errorKind: 'tool' }, 'actions[1].errorKind is only allowed when result is "error"'],
        [
          { errorMessage: 'x'.repeat(2001), result: 'error' },
          'actions[1].errorMessage must be at most 2000 characters',
        ],
        [{ latencyMs: -5 }, 'actions[1].latencyMs must be an integer ≥ 0'],
        [{ toolName: '' }, 'actions[1].toolName must be 1–128 characters'],
        [{ surprise: true }, 'actions[1].surprise is not allowed'],
      ].map(([bad, message]) => [message, bad] as [string, Record<string, unknown>]),
    )('should answer 400 with "%s"', async (message, bad) => {
      const tick = await newTick();
      const res = await postActions({ actions: [action(tick, 0), action(tick, 1, bad)] });
      expect(res.status).toBe(400);
      expect(res.body.message).toContain(message);
      expect(await countWhere('persona_actions', 'tick_id = $1', [tick])).toBe(0);
    });

    it('should answer 400 when actions is not an array or a row is not an object', async () => {
      expect((await postActions({ actions: 'many' })).body.message).toMatch(/actions must be an array/);
      expect((await postActions({ actions: [null] })).body.message).toMatch(/actions\[0\] must be an object/);
      expect((await postActions({})).status).toBe(400);
    });

    it('should answer 404 to an unknown persona or a human id, 400 to a malformed id', async () => {
      const human = await registerUser(t);
      const body = { actions: [action(randomUUID(), 0)] };
      expect((await postActions(body, randomUUID())).status).toBe(404);
      expect((await postActions(body, human.id)).status).toBe(404);
      expect((await postActions(body, 'abc')).status).toBe(400);
    });
  });

  describe('POST /:id/feedback', () => {
    it('should store ratings once, count repeats as duplicates and refuse a changed rating', async () => {
      const tick = await newTick();
      const body = {
        feedback: [
          { tickId: tick, module: 'todo', rating: 4, notes: 'quick' },
          { tickId: tick, module: 'notes', rating: 2 },
        ],
      };
      expect((await postFeedback(body)).body).toEqual({ inserted: 2, duplicates: 0 });
      expect((await postFeedback(body)).body).toEqual({ inserted: 0, duplicates: 2 });
      const changed = await postFeedback({
        feedback: [{ tickId: tick, module: 'todo', rating: 5, notes: 'quick' }],
      });
      expect(changed.status).toBe(422);
      expect(changed.body.message).toContain(
        `feedback[0]: id ${tick}-todo was already recorded with a different rating`,
      );
      const rows = await t.dataSource.query(
        `SELECT id, rating, notes FROM persona_feedback WHERE tick_id = $1 ORDER BY module`,
        [tick],
      );
      expect(rows).toEqual([
        { id: `${tick}-notes`, rating: 2, notes: null },
        { id: `${tick}-todo`, rating: 4, notes: 'quick' },
      ]);
    });

    it('should write one row for 50 identical posts at once', async () => {
      const tick = await newTick();
      const body = { feedback: [{ tickId: tick, module: 'habits', rating: 3 }] };
      const answers = await Promise.all(Array.from({ length: 50 }, () => postFeedback(body)));
      expect(answers.every((a) => a.status === 200)).toBe(true);
      expect(answers.reduce((sum, a) => sum + a.body.inserted, 0)).toBe(1);
      expect(await countWhere('persona_feedback', 'tick_id = $1', [tick])).toBe(1);
    });

    it.each([
      [3.5, 'feedback[0].rating must be an integer from 1 to 5'],
      [0, 'feedback[0].rating must be an integer from 1 to 5'],
      [6, 'feedback[0].rating must be an integer from 1 to 5'],
      ['4', 'feedback[0].rating must be an integer from 1 to 5'],
    ])('should answer 400 to the rating %j', async (rating, message) => {
      const res = await postFeedback({ feedback: [{ tickId: randomUUID(), module: 'todo', rating }] });
      expect(res.status).toBe(400);
      expect(res.body.message).toContain(message);
    });

    it('should refuse more than 100 rows and a bad module name', async () => {
      const tick = await newTick();
      const rows = Array.from({ length: 101 }, (_, i) => ({ tickId: tick, module: `m${i}`, rating: 3 }));
      const res = await postFeedback({ feedback: rows });
      expect(res.status).toBe(400);
      expect(res.body.message).toMatch(/feedback must contain at most 100 rows/);
      const bad = await postFeedback({ feedback: [{ tickId: tick, module: 'To Do', rating: 3 }] });
      expect(bad.body.message).toContain('feedback[0].module must be a module name');
    });

    it('should answer 404 to an unknown persona', async () => {
      const res = await postFeedback(
        { feedback: [{ tickId: randomUUID(), module: 'todo', rating: 3 }] },
        randomUUID(),
      );
      expect(res.status).toBe(404);
    });
  });
});
