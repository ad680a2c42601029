import { randomUUID } from 'node:crypto';
import { UsersService } from '../../src/auth/users/users.service.js';
import { derivePersonaPassword } from '../../src/personas/persona-password.js';
import { PersonasAdminController } from '../../src/personas/api/personas-admin.controller.js';
import type { TestApp } from '../support/test-app.js';
import { http } from '../support/http.js';
import { TEST_PASSWORD, createAdmin, login, registerUser, uniqueEmail } from '../support/factories.js';
import type { TestUser } from '../support/factories.js';
import { ADMIN_BASE, createPersona, loginPersona, personaBody } from '../support/personas.js';
import { insertAction, insertFeedback, insertTick } from '../support/persona-rows.js';
import { bootPersonasApp, expiredToken, rowCounts } from './personas-support.js';
import { underLease } from '../support/leases.js';

describe(PersonasAdminController.name, () => {
  let t: TestApp;
  let admin: TestUser;
  let human: TestUser;

  beforeAll(async () => {
    t = await bootPersonasApp();
    admin = await createAdmin(t);
    human = await registerUser(t);
  });
  afterAll(() => t.close());

  describe('access', () => {
    type Caller = 'anonymous' | 'human' | 'persona' | 'service key' | 'expired admin token' | 'admin';
    const expected: Record<Caller, number[]> = {
      anonymous: [401],
      human: [403],
      persona: [403],
      'service key': [401],
      'expired admin token': [401],
      admin: [200, 201],
    };
    let headers: Record<Caller, { token?: string; headers?: Record<string, string> }>;
    let target: string;

    beforeAll(async () => {
      const persona = await loginPersona(t, await createPersona(t, {}, admin));
      headers = {
        anonymous: {},
        human: { token: human.accessToken },
        persona: { token: persona.accessToken },
        'service key': { headers: { 'x-service-key': t.config.serviceKey } },
        'expired admin token': { token: await expiredToken(t, admin) },
        admin: { token: admin.accessToken },
      };
      target = (await createPersona(t, {}, admin)).userId;
    });

    const routes: Array<[string, string, (id: string) => string, () => unknown]> = [
      ['POST', '/', () => ADMIN_BASE, () => personaBody(t)],
      ['GET', '/', () => ADMIN_BASE, () => undefined],
      ['GET', '/:id', (id) => `${ADMIN_BASE}/${id}`, () => undefined],
      ['DELETE', '/:id', (id) => `${ADMIN_BASE}/${id}`, () => undefined],
    ];
    const callers: Caller[] = [
      'anonymous',
      'human',
      'persona',
      'service key',
      'expired admin token',
      'admin',
    ];

    for (const [method, route, path, body] of routes) {
      for (const caller of callers) {
        it(`should answer ${expected[caller].join('/')} to ${caller} on ${method} ${route}`, async () => {
          // each DELETE has a persona of its own, so the cases hold in any order
          const id = method === 'DELETE' ? (await createPersona(t, {}, admin)).userId : target;
          const res = await http(t.url, method, path(id), { ...headers[caller], body: body() });
          expect(expected[caller]).toContain(res.status);
          if (caller !== 'admin') {
            expect(res.body).toMatchObject({ statusCode: res.status, message: expect.any(String) });
          }
          if (method === 'DELETE' && caller !== 'admin') {
            const [row] = await t.dataSource.query(
              `SELECT count(*)::int AS n FROM personas WHERE user_id = $1`,
              [id],
            );
            expect(row.n).toBe(1);
          }
        });
      }
    }
  });

  it('should document the persona routes in the OpenAPI description', async () => {
    const res = await http(t.url, 'GET', '/api/docs-json');
    expect(res.status).toBe(200);
    expect(Object.keys(res.body.paths)).toEqual(
      expect.arrayContaining([
        '/api/v1/personas/admin',
        '/api/v1/personas/admin/{id}',
        '/api/v1/personas/internal/due',
        '/api/v1/personas/internal/{id}/actions',
        '/api/v1/personas/internal/{id}/feedback',
      ]),
    );
  });

  describe('POST / (create-or-update)', () => {
    it('should create a persona through sign-up and stamp the account', async () => {
      const body = personaBody(t, { name: 'Nadia Test' });
      const res = await http(t.url, 'POST', ADMIN_BASE, { token: admin.accessToken, body });
      expect(res.status).toBe(201);
      expect(res.headers.get('x-persona-outcome')).toBe('created');
      expect(res.body).toMatchObject({
        userId: expect.any(String),
        email: body.email,
        name: 'Nadia Test',
        archetype: 'solo-dev',
        systemPrompt: body.systemPrompt,
        moduleMix: { todo: 2, notes: 1 },
        tickCadence: 'daily',
        timezone: 'Europe/Berlin',
        lastActiveAt: null,
        nextDueAt: null,
      });
      expect(res.body).not.toHaveProperty('passwordHash');
      const [user] = await t.dataSource.query(
        `SELECT kind, tier, email_verified, role FROM users WHERE id = $1`,
        [res.body.userId],
      );
      expect(user).toEqual({ kind: 'persona', tier: 'founder', email_verified: true, role: 'user' });
      // the normal sign-up path made the personal space
      const [space] = await t.dataSource.query(
        `SELECT count(*)::int AS n FROM space_members m JOIN spaces s ON s.id = m.space_id
          WHERE m.user_id = $1 AND s.type = 'personal' AND m.role = 'owner'`,
        [res.body.userId],
      );
      expect(space.n).toBe(1);
      const me = await loginPersona(t, {
        userId: res.body.userId,
        email: body.email,
        password: body.password,
      });
      const whoami = await http(t.url, 'GET', '/api/v1/auth/me', { token: me.accessToken });
      expect(whoami.body).toMatchObject({ kind: 'persona', tier: 'founder' });
    });

    it('should be idempotent: the same body twice gives the same persona and one row', async () => {
      const body = personaBody(t);
      const first = await http(t.url, 'POST', ADMIN_BASE, { token: admin.accessToken, body });
      const second = await http(t.url, 'POST', ADMIN_BASE, { token: admin.accessToken, body });
      expect(first.status).toBe(201);
      expect(second.status).toBe(200);
      expect(second.headers.get('x-persona-outcome')).toBe('unchanged');
      expect(second.body).toEqual(first.body);
      const [row] = await t.dataSource.query(
        `SELECT count(*)::int AS n FROM personas p JOIN users u ON u.id = p.user_id WHERE u.email = $1`,
        [body.email],
      );
      expect(row.n).toBe(1);
    });

    it('should give one persona when the same new email is posted concurrently', async () => {
      const body = personaBody(t);
      const answers = await Promise.all(
        [1, 2, 3].map(() => http(t.url, 'POST', ADMIN_BASE, { token: admin.accessToken, body })),
      );
      expect(answers.map((a) => a.status).sort()).toEqual([200, 200, 201]);
      expect(new Set(answers.map((a) => a.body.userId)).size).toBe(1);
      const [row] = await t.dataSource.query(`SELECT count(*)::int AS n FROM users WHERE email = $1`, [
        body.email,
      ]);
      expect(row.n).toBe(1);
    });

    it('should update an existing persona and put back the derived password when it drifted', async () => {
      const created = await createPersona(t, {}, admin);
      const [user] = await t.dataSource.query(`SELECT id FROM users WHERE email = $1`, [created.email]);
      await t.app.get(UsersService).setPassword(user.id, 'a-drifted-Passw0rd-9');
      const body = personaBody(t, {
        email: created.email.toUpperCase(),
        name: 'Renamed',
        password: undefined,
        archetype: 'researcher',
        systemPrompt: 'A different prompt that is certainly longer than twenty characters.',
        moduleMix: { journal: 1, calendar: 0.5 },
        tickCadence: 'weekdays',
        timezone: 'America/New_York',
      });
      const res = await http(t.url, 'POST', ADMIN_BASE, { token: admin.accessToken, body });
      expect(res.status).toBe(200);
      expect(res.headers.get('x-persona-outcome')).toBe('updated');
      expect(res.body).toMatchObject({
        userId: created.userId,
        email: created.email,
        name: 'Renamed',
        archetype: 'researcher',
        moduleMix: { journal: 1, calendar: 0.5 },
        tickCadence: 'weekdays',
        timezone: 'America/New_York',
      });
      await expect(login(t, created.email, 'a-drifted-Passw0rd-9')).rejects.toThrow(/401/);
      await expect(login(t, created.email, created.password)).resolves.toHaveProperty('accessToken');
      const again = await http(t.url, 'POST', ADMIN_BASE, { token: admin.accessToken, body });
      expect(again.headers.get('x-persona-outcome')).toBe('unchanged');
      expect(again.body.updatedAt).toBe(res.body.updatedAt);
    });

    it('should create a persona without a password, signing it in with the derived one', async () => {
      const body = personaBody(t, { password: undefined });
      const res = await http(t.url, 'POST', ADMIN_BASE, { token: admin.accessToken, body });
      expect(res.status).toBe(201);
      const derived = derivePersonaPassword(body.email, t.config.personaSeedSecret);
      await expect(login(t, body.email, derived)).resolves.toHaveProperty('accessToken');
    });

    it("should refuse a password of the admin's choosing with 400 saying why, and create nothing", async () => {
      const body = personaBody(t, { password: 'an-admin-chosen-Passw0rd' });
      const res = await http(t.url, 'POST', ADMIN_BASE, { token: admin.accessToken, body });
      expect(res.status).toBe(400);
      expect(res.body.message).toMatch(/password must be left out \(the server derives it\)/);
      expect(res.body.message).toMatch(/PERSONA_SEED_SECRET/);
      const [row] = await t.dataSource.query(`SELECT count(*)::int AS n FROM users WHERE email = $1`, [
        body.email,
      ]);
      expect(row.n).toBe(0);
    });

    it("should refuse a human's email with 409 and leave the account untouched", async () => {
      const victim = await registerUser(t, uniqueEmail('victim').replace('@example.com', '@mana.test'));
      const [before] = await t.dataSource.query(`SELECT * FROM users WHERE id = $1`, [victim.id]);
      const res = await http(t.url, 'POST', ADMIN_BASE, {
        token: admin.accessToken,
        body: personaBody(t, { email: victim.email }),
      });
      expect(res.status).toBe(409);
      expect(res.body.message).toMatch(/existing human account/);
      const [after] = await t.dataSource.query(`SELECT * FROM users WHERE id = $1`, [victim.id]);
      expect(after).toEqual(before);
      expect(after.kind).toBe('human');
      const [persona] = await t.dataSource.query(
        `SELECT count(*)::int AS n FROM personas WHERE user_id = $1`,
        [victim.id],
      );
      expect(persona.n).toBe(0);
      await expect(login(t, victim.email, TEST_PASSWORD)).resolves.toHaveProperty('accessToken');
    });

    it.each(
      (
        [
          [{ email: 'persona.x@example.com' }, /persona domain @mana\.test/],
          [{ email: 'not an email' }, /email must be an email address/],
          [{ moduleMix: { todoo: 1 } }, /moduleMix\.todoo is not a module with tools/],
          [{ moduleMix: { todo: -1 } }, /moduleMix\.todo must be a finite number ≥ 0/],
          [{ moduleMix: { todo: 'lots' } }, /moduleMix\.todo must be a finite number ≥ 0/],
          [{ moduleMix: { todo: 0, notes: 0 } }, /at least one module with a weight above 0/],
          [{ moduleMix: {} }, /at least one module with a weight above 0/],
          [{ moduleMix: [1, 2] }, /moduleMix must be an object/],
          [{ systemPrompt: 'too short' }, /systemPrompt must be 20–8000 characters/],
          [{ systemPrompt: 'x'.repeat(8001) }, /systemPrompt must be 20–8000 characters/],
          [{ timezone: 'Mars/Olympus_Mons' }, /timezone must be an IANA time zone/],
          [{ timezone: 'Europe/Berlin; DROP TABLE users' }, /timezone must be an IANA time zone/],
          [{ tickCadence: 'monthly' }, /tickCadence must be one of hourly, daily, weekdays/],
          [{ archetype: 'Bad Archetype' }, /archetype must be/],
          [{ password: 'short' }, /password must be/],
          [{ kind: 'persona' }, /property kind should not exist/],
        ] as Array<[Record<string, unknown>, RegExp]>
      ).map(([o, m]) => [JSON.stringify(o).slice(0, 60), o, m] as const),
    )('should answer 400 naming the problem for %s', async (_label, overrides, message) => {
      const res = await http(t.url, 'POST', ADMIN_BASE, {
        token: admin.accessToken,
        body: personaBody(t, overrides),
      });
      expect(res.status).toBe(400);
      expect(res.body.message).toMatch(message);
    });

    it('should answer 400 for a number too large to be finite in the module mix', async () => {
      const body = JSON.stringify(personaBody(t)).replace('"todo":2', '"todo":1e400');
      const res = await http(t.url, 'POST', ADMIN_BASE, { token: admin.accessToken, rawBody: body });
      expect(res.status).toBe(400);
      expect(res.body.message).toMatch(/moduleMix\.todo must be a finite number/);
    });

    it('should store the canonical spelling of a time zone', async () => {
      const res = await http(t.url, 'POST', ADMIN_BASE, {
        token: admin.accessToken,
        body: personaBody(t, { timezone: 'asia/tokyo' }),
      });
      expect(res.status).toBe(201);
      expect(res.body.timezone).toBe('Asia/Tokyo');
    });
  });

  describe('GET / and GET /:id', () => {
    it('should page through every persona with the keyset cursor, newest first, without gaps', async () => {
      for (let i = 0; i < 3; i += 1) await createPersona(t, {}, admin);
      const seen: string[] = [];
      const created: string[] = [];
      let cursor: string | null = null;
      do {
        const query: string = cursor ? `?limit=2&cursor=${cursor}` : '?limit=2';
        const res = await http(t.url, 'GET', `${ADMIN_BASE}${query}`, { token: admin.accessToken });
        expect(res.status).toBe(200);
        expect(res.body.items.length).toBeLessThanOrEqual(2);
        seen.push(...res.body.items.map((i: { userId: string }) => i.userId));
        created.push(...res.body.items.map((i: { createdAt: string }) => i.createdAt));
        cursor = res.body.nextCursor;
      } while (cursor);
      const [total] = await t.dataSource.query(`SELECT count(*)::int AS n FROM personas`);
      expect(seen).toHaveLength(total.n);
      expect(new Set(seen).size).toBe(total.n);
      expect([...created].sort().reverse()).toEqual(created);
    });

    it('should answer 400 to a bad limit or cursor', async () => {
      for (const q of ['?limit=0', '?limit=201', '?limit=abc', '?cursor=nonsense', '?cursor=WyJ4IiwieSJd']) {
        const res = await http(t.url, 'GET', `${ADMIN_BASE}${q}`, { token: admin.accessToken });
        expect(res.status).toBe(400);
        expect(res.body.message).toMatch(/limit|cursor/);
      }
    });

    it('should answer 400 to an id that is not a UUID and 404 to an unknown one', async () => {
      const bad = await http(t.url, 'GET', `${ADMIN_BASE}/not-a-uuid`, { token: admin.accessToken });
      expect(bad.status).toBe(400);
      expect(bad.body.message).toMatch(/UUID/);
      const unknown = await http(t.url, 'GET', `${ADMIN_BASE}/${randomUUID()}`, { token: admin.accessToken });
      expect(unknown.status).toBe(404);
      const humanId = await http(t.url, 'GET', `${ADMIN_BASE}/${human.id}`, { token: admin.accessToken });
      expect(humanId.status).toBe(404);
    });
  });

  describe('7-day figures against hand-computed fixtures', () => {
    let personaId: string;
    let quietId: string;
    const tick = randomUUID();

    beforeAll(async () => {
      quietId = (await createPersona(t, {}, admin)).userId;
      personaId = (await createPersona(t, {}, admin)).userId;
      const action = (seq: number, result: 'ok' | 'error', age: string) =>
        insertAction(t, personaId, tick, { seq, tool: 'todo.create', result, createdAt: { ago: age } });
      // inside the window: 5 actions, 2 of them errors
      await action(1, 'ok', '1 day');
      await action(2, 'ok', '1 day');
      await action(3, 'error', '1 day');
      await action(4, 'error', '6 days');
      await action(5, 'ok', '6 days 23 hours');
      // outside: 3 actions (2 errors) that must not count
      await action(6, 'error', '7 days 1 hour');
      await action(7, 'error', '8 days');
      await action(8, 'ok', '30 days');
      const feedback = (module: string, rating: number, notes: string | null, age: string) =>
        insertFeedback(t, personaId, randomUUID(), { module, rating, notes, createdAt: { ago: age } });
      await feedback('todo', 4, null, '1 day');
      await feedback('notes', 5, 'search found it', '2 days');
      await feedback('todo', 2, 'meh, too many fields', '3 days');
      await feedback('todo', 1, 'ancient complaint', '10 days');
      await feedback('notes', 3, 'slow', '20 days');
      await insertTick(t, personaId, {
        status: 'ok',
        startedAt: { ago: '2 days' },
        finishedAt: { ago: '2 days -30 seconds' },
      });
      await insertTick(t, personaId, {
        status: 'failed',
        startedAt: { ago: '1 hour' },
        finishedAt: { ago: '50 minutes' },
      });
    });

    async function listItem(id: string) {
      let cursor: string | null = null;
      do {
        const res: { body: { items: Array<{ userId: string }>; nextCursor: string | null } } = await http(
          t.url,
          'GET',
          `${ADMIN_BASE}?limit=200${cursor ? `&cursor=${cursor}` : ''}`,
          { token: admin.accessToken },
        );
        const found = res.body.items.find((i) => i.userId === id);
        if (found) return found;
        cursor = res.body.nextCursor;
      } while (cursor);
      throw new Error(`persona ${id} is not in the list`);
    }

    it('should count actions, errors and the mean rating of the last 7 days only', async () => {
      const item = await listItem(personaId);
      expect(item).toMatchObject({ actions7d: 5, errors7d: 2 });
      // (4 + 5 + 2) / 3, the 10- and 20-day-old ratings excluded
      expect((item as unknown as { avgRating7d: number }).avgRating7d).toBeCloseTo(11 / 3, 10);
      const tickRow = await t.dataSource.query(
        `SELECT finished_at FROM persona_ticks WHERE persona_id = $1 AND status = 'failed'`,
        [personaId],
      );
      expect((item as unknown as { lastTick: unknown }).lastTick).toEqual({
        status: 'failed',
        at: tickRow[0].finished_at.toISOString(),
      });
    });

    it('should answer zeros, a null average and no last tick for a persona without activity', async () => {
      expect(await listItem(quietId)).toMatchObject({
        actions7d: 0,
        errors7d: 0,
        avgRating7d: null,
        lastTick: null,
      });
    });

    it('should show the real per-module average over all ratings in the detail', async () => {
      const res = await http(t.url, 'GET', `${ADMIN_BASE}/${personaId}`, { token: admin.accessToken });
      expect(res.status).toBe(200);
      expect(res.body.persona).toMatchObject({ userId: personaId, systemPrompt: expect.any(String) });
      const byModule = Object.fromEntries(
        res.body.feedbackByModule.map((f: { module: string }) => [f.module, f]),
      );
      expect(Object.keys(byModule).sort()).toEqual(['notes', 'todo']);
      // todo: 4, 2, 1 → 7/3; the newest note-carrying rating is "meh, too many fields"
      expect(byModule.todo.avgRating).toBeCloseTo(7 / 3, 10);
      expect(byModule.todo.count).toBe(3);
      expect(byModule.todo.lastNotes).toBe('meh, too many fields');
      // notes: 5, 3 → 4 (a real average, not the count 2)
      expect(byModule.notes.avgRating).toBe(4);
      expect(byModule.notes.count).toBe(2);
      expect(byModule.notes.lastNotes).toBe('search found it');
      expect(res.body.recentActions.map((a: { seq: number }) => a.seq)).toEqual([3, 2, 1, 4, 5, 6, 7, 8]);
      expect(res.body.recentTicks.map((x: { status: string }) => x.status)).toEqual(['failed', 'ok']);
    });

    it('should list at most the 20 newest actions in the detail', async () => {
      // a persona of its own: the quiet one must stay without activity, whatever order the tests run in
      const busyId = (await createPersona(t, {}, admin)).userId;
      const t2 = randomUUID();
      for (let seq = 0; seq < 25; seq += 1) {
        await insertAction(t, busyId, t2, {
          seq,
          tool: 'notes.create',
          createdAt: { ago: `${100 - seq} seconds` },
        });
      }
      const res = await http(t.url, 'GET', `${ADMIN_BASE}/${busyId}`, { token: admin.accessToken });
      expect(res.body.recentActions).toHaveLength(20);
      expect(res.body.recentActions[0].seq).toBe(24);
      expect(res.body.recentActions[19].seq).toBe(5);
    });
  });

  describe('DELETE /:id', () => {
    it('should refuse a human with 400 and delete nothing', async () => {
      const before = await rowCounts(t);
      const res = await http(t.url, 'DELETE', `${ADMIN_BASE}/${human.id}`, { token: admin.accessToken });
      expect(res.status).toBe(400);
      expect(res.body.message).toMatch(/not a persona/);
      expect(await rowCounts(t)).toEqual(before);
      await expect(login(t, human.email, TEST_PASSWORD)).resolves.toHaveProperty('accessToken');
    });

    it('should refuse an admin with 400 and answer 404 to an unknown id', async () => {
      const res = await http(t.url, 'DELETE', `${ADMIN_BASE}/${admin.id}`, { token: admin.accessToken });
      expect(res.status).toBe(400);
      const unknown = await http(t.url, 'DELETE', `${ADMIN_BASE}/${randomUUID()}`, {
        token: admin.accessToken,
      });
      expect(unknown.status).toBe(404);
    });

    it('should remove everything of a persona in one go, keeping shared spaces others still use', async () => {
      const created = await createPersona(t, {}, admin);
      const persona = await loginPersona(t, created);
      const neighbour = await registerUser(t);
      const post = (token: string, path: string, body: unknown) =>
        http(t.url, 'POST', path, { token, body }).then((r) => {
          if (r.status >= 300) throw new Error(`${path}: ${r.status} ${r.text}`);
          return r.body;
        });
      const alone = await post(persona.accessToken, '/api/v1/spaces', { name: 'Alone', type: 'club' });
      const shared = await post(persona.accessToken, '/api/v1/spaces', { name: 'Shared', type: 'team' });
      await post(persona.accessToken, `/api/v1/spaces/${shared.id}/members`, { email: neighbour.email });
      const theirs = await post(neighbour.accessToken, '/api/v1/spaces', { name: 'Theirs', type: 'family' });
      await post(neighbour.accessToken, `/api/v1/spaces/${theirs.id}/members`, { email: persona.email });
      const tick = await insertTick(t, created.userId, { status: 'ok' });
      const internal = { headers: { 'x-service-key': t.config.serviceKey } };
      await underLease(t, created.userId, [tick], async (leaseToken) => {
        await http(t.url, 'POST', `/api/v1/personas/internal/${created.userId}/actions`, {
          ...internal,
          body: {
            leaseToken,
            actions: [
              { tickId: tick, seq: 0, toolName: 'todo.create', result: 'ok' },
              { tickId: tick, seq: 1, toolName: 'todo.list', result: 'ok' },
            ],
          },
        });
        await http(t.url, 'POST', `/api/v1/personas/internal/${created.userId}/feedback`, {
          ...internal,
          body: { leaseToken, feedback: [{ tickId: tick, module: 'todo', rating: 4 }] },
        });
      });

      const before = await rowCounts(t);
      const res = await http(t.url, 'DELETE', `${ADMIN_BASE}/${created.userId}`, {
        token: admin.accessToken,
      });
      expect(res.status).toBe(200);
      expect(res.body).toEqual({
        userId: created.userId,
        email: created.email,
        spacesDeleted: 2,
        spacesTransferred: 1,
      });
      const after = await rowCounts(t);
      expect(after).toEqual({
        users: before.users - 1,
        personas: before.personas - 1,
        persona_ticks: before.persona_ticks - 1,
        persona_actions: before.persona_actions - 2,
        persona_feedback: before.persona_feedback - 1,
        // the personal space and "Alone" go; "Shared" and "Theirs" stay
        spaces: before.spaces - 2,
        // personal, Alone, Shared and Theirs memberships of the persona
        space_members: before.space_members - 4,
      });
      for (const table of ['persona_ticks', 'persona_actions', 'persona_feedback']) {
        const [row] = await t.dataSource.query(
          `SELECT count(*)::int AS n FROM ${table} WHERE persona_id = $1`,
          [created.userId],
        );
        expect(row.n).toBe(0);
      }
      const left = await t.dataSource.query(
        `SELECT id FROM spaces WHERE id = ANY($1::uuid[]) ORDER BY name`,
        [[alone.id, shared.id, theirs.id]],
      );
      expect(left.map((r: { id: string }) => r.id)).toEqual([shared.id, theirs.id]);
      const members = await http(t.url, 'GET', `/api/v1/spaces/${shared.id}/members`, {
        token: neighbour.accessToken,
      });
      expect(members.body.items).toEqual([{ userId: neighbour.id, email: neighbour.email, role: 'owner' }]);
      const again = await http(t.url, 'DELETE', `${ADMIN_BASE}/${created.userId}`, {
        token: admin.accessToken,
      });
      expect(again.status).toBe(404);
      await expect(login(t, created.email, created.password)).rejects.toThrow(/401/);
    });
  });
});
