import { randomUUID } from 'node:crypto';
import { ReportsController } from '../../src/reports/reports.controller.js';
import { bootTestApp } from '../support/test-app.js';
import type { TestApp } from '../support/test-app.js';
import { http } from '../support/http.js';
import { createAdmin, registerUser } from '../support/factories.js';
import type { TestUser } from '../support/factories.js';
import { createPersona } from '../support/personas.js';
import { insertAction, insertTick } from '../support/persona-rows.js';
import { underLease } from '../support/leases.js';

/*
 * The findings report over hand-computed fixtures. Findings are written through the personas
 * internal API (service key), then moved into July 2002 with SQL (the API stamps created_at = now);
 * ticks and calls are backdated rows (test/support/persona-rows.ts says why) and the faults' plant
 * windows SQL rows (the fault API stamps now) in the same era, far from every other test file's data. Anchor T = 2002-07-31T00:00Z; the default window is [T − 28 d, T).
 *
 *   todo.list   ticks A1..A5 at T−10d … T−6d, one call each (seq 1)
 *     G1 wrong_result: A1 (p1, seq 1), A2 (p2, seq 1 and seq 2, two checks)  → 3 later ticks: gone
 *     G2 slow:         A4 (p1, seq 1)                                         → 1 later tick: open
 *   todo.create tick B1 at T−3d (p1)
 *     G3 error:        B1 seq 1, during the plant of todo.create.error [T−4d, T−2d) → matches
 *     mistake:         B1 seq 2, personaMistake (kept apart)
 *   notes.search tick C1 at T−2d (p2)
 *     G4 contract:     C1 seq 1; another at exactly T and one at T − 29 d (both outside the window)
 *   todo.list.drops-newest (wrong_result) planted [T−7.5d, T−6.5d): only G2 (slow) falls inside, so
 *   neither G1 (wrong time) nor G2 (wrong class) matches it.
 */
const T = Date.parse('2002-07-31T00:00:00.000Z');
const M = 60_000;
const H = 60 * M;
const D = 24 * H;
const iso = (ms: number) => new Date(ms).toISOString();
const R = '/api/v1/reports/findings';
const RANGE = `from=${iso(T - 28 * D)}&to=${iso(T)}`;

interface Persona {
  id: string;
}

describe(`${ReportsController.name} findings`, () => {
  let t: TestApp;
  let admin: TestUser;
  let human: TestUser;
  let p1: Persona;
  let p2: Persona;
  const ticks: Record<string, string> = {};
  const faults: Record<string, string> = {};

  const get = (query: string, token = admin.accessToken) => http(t.url, 'GET', `${R}?${query}`, { token });

  async function makePersona(name: string): Promise<Persona> {
    const persona = await createPersona(t, { name, moduleMix: { todo: 1 }, timezone: 'UTC' }, admin);
    return { id: persona.userId };
  }

  /** A backdated tick with one successful call per tool, a minute apart (seq 1, 2, …). */
  async function tick(name: string, persona: Persona, startedAt: number, tools: string[]): Promise<string> {
    const id = await insertTick(t, persona.id, {
      startedAt: new Date(startedAt),
      finishedAt: new Date(startedAt + 30 * M),
      toolCalls: tools.length,
    });
    ticks[name] = id;
    for (const [i, tool] of tools.entries()) {
      await insertAction(t, persona.id, id, {
        seq: i + 1,
        tool,
        latencyMs: 20,
        createdAt: new Date(startedAt + (i + 1) * M),
      });
    }
    return id;
  }

  interface Finding {
    tickId: string;
    seq: number | null;
    tool: string;
    class: string;
    check: string;
    personaMistake?: boolean;
  }

  /** Records findings through the internal API, then moves each to `at` (the API stamps now). */
  async function findings(persona: Persona, rows: Array<Finding & { at: number }>): Promise<void> {
    // written as the runner holding these (history) ticks would: under their lease
    const tickIds = [...new Set(rows.map((r) => r.tickId))];
    const res = await underLease(t, persona.id, tickIds, (leaseToken) =>
      http(t.url, 'POST', `/api/v1/personas/internal/${persona.id}/findings`, {
        headers: { 'x-service-key': t.config.serviceKey },
        body: {
          leaseToken,
          findings: rows.map(({ at: _at, ...f }) => ({
            ...f,
            module: f.tool.split('.')[0],
            expected: `${f.check}: the app should have answered right`,
            got: `${f.check}: it did not`,
            source: 'oracle',
          })),
        },
      }),
    );
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ inserted: rows.length, duplicates: 0 });
    for (const f of rows) {
      await t.dataSource.query(
        `UPDATE persona_findings SET created_at = $3 WHERE tick_id = $1 AND check_name = $2
           AND seq IS NOT DISTINCT FROM $4::int`,
        [f.tickId, f.check, new Date(f.at), f.seq],
      );
    }
  }

  /** A fault's plant window, as SQL (the fault API stamps planted_at = now and cannot backdate). */
  async function plantWindow(name: string, defect: string, from: number, to: number): Promise<void> {
    const id = randomUUID();
    faults[name] = id;
    await t.dataSource.query(
      `INSERT INTO faults (id, defect, probability, planted_by, planted_at, cleared_at, note)
       VALUES ($1, $2, 1, $3, $4, $5, 'findings report fixture')`,
      [id, defect, admin.id, new Date(from), new Date(to)],
    );
  }

  beforeAll(async () => {
    t = await bootTestApp();
    admin = await createAdmin(t);
    human = await registerUser(t);
    p1 = await makePersona('Fay Finder');
    p2 = await makePersona('Gus Finder');

    const a1 = await tick('A1', p1, T - 10 * D, ['todo.list']);
    const a2 = await tick('A2', p2, T - 9 * D, ['todo.list', 'todo.list']);
    await tick('A3', p2, T - 8 * D, ['todo.list']);
    const a4 = await tick('A4', p1, T - 7 * D, ['todo.list']);
    await tick('A5', p2, T - 6 * D, ['todo.list']);
    const b1 = await tick('B1', p1, T - 3 * D, ['todo.create', 'todo.create']);
    const c1 = await tick('C1', p2, T - 2 * D, ['notes.search']);
    const old = await tick('OLD', p2, T - 29 * D, ['notes.search']);
    const late = await tick('LATE', p2, T - 5 * M, ['notes.search']);

    const s = 10_000;
    await findings(p1, [
      {
        tickId: a1,
        seq: 1,
        tool: 'todo.list',
        class: 'wrong_result',
        check: 'read-your-writes.list',
        at: T - 10 * D + M + s,
      },
      { tickId: a4, seq: 1, tool: 'todo.list', class: 'slow', check: 'call.slow', at: T - 7 * D + M + s },
      { tickId: b1, seq: 1, tool: 'todo.create', class: 'error', check: 'call.error', at: T - 3 * D + M + s },
      {
        tickId: b1,
        seq: 2,
        tool: 'todo.create',
        class: 'error',
        check: 'call.invalid-input',
        personaMistake: true,
        at: T - 3 * D + 2 * M + s,
      },
    ]);
    await findings(p2, [
      {
        tickId: a2,
        seq: 1,
        tool: 'todo.list',
        class: 'wrong_result',
        check: 'read-your-writes.list',
        at: T - 9 * D + M + s,
      },
      {
        tickId: a2,
        seq: 2,
        tool: 'todo.list',
        class: 'wrong_result',
        check: 'counts.recent',
        at: T - 9 * D + 2 * M + s,
      },
      {
        tickId: c1,
        seq: 1,
        tool: 'notes.search',
        class: 'contract',
        check: 'filter.limit',
        at: T - 2 * D + M + s,
      },
      {
        tickId: old,
        seq: 1,
        tool: 'notes.search',
        class: 'contract',
        check: 'filter.limit',
        at: T - 29 * D + M,
      },
      { tickId: late, seq: 1, tool: 'notes.search', class: 'contract', check: 'filter.limit', at: T },
    ]);

    await plantWindow('create', 'todo.create.error', T - 4 * D, T - 2 * D);
    await plantWindow('list', 'todo.list.drops-newest', T - 7.5 * D, T - 6.5 * D);
  });

  afterAll(async () => {
    await t?.close();
  });

  describe('auth', () => {
    it('should answer 401 to an anonymous request', async () => {
      expect((await http(t.url, 'GET', R)).status).toBe(401);
    });

    it('should answer 403 to a non-admin', async () => {
      expect((await get(RANGE, human.accessToken)).status).toBe(403);
    });
  });

  it('should group app findings by module, tool and class, newest last seen first', async () => {
    const res = await get(RANGE);
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({
      from: iso(T - 28 * D),
      to: iso(T),
      sort: '-lastSeen',
      personaMistakes: false,
      offset: 0,
      total: 4,
    });
    const key = (g: { module: string; tool: string; class: string }) => `${g.module} ${g.tool} ${g.class}`;
    expect(res.body.items.map(key)).toEqual([
      'notes notes.search contract',
      'todo todo.create error',
      'todo todo.list slow',
      'todo todo.list wrong_result',
    ]);
    const g1 = res.body.items[3];
    expect(g1).toMatchObject({
      state: 'gone',
      firstSeen: iso(T - 10 * D + M + 10_000),
      lastSeen: iso(T - 9 * D + 2 * M + 10_000),
      count: 3,
      ticks: 2,
      personas: 2,
      checks: ['counts.recent', 'read-your-writes.list'],
      matchesPlantedFault: null,
    });
    // the 3 newest findings as evidence, each pointing at the call that showed it
    expect(g1.samples).toEqual([
      {
        tickId: ticks.A2,
        seq: 2,
        personaId: p2.id,
        check: 'counts.recent',
        expected: 'counts.recent: the app should have answered right',
        got: 'counts.recent: it did not',
        source: 'oracle',
        createdAt: iso(T - 9 * D + 2 * M + 10_000),
      },
      expect.objectContaining({ tickId: ticks.A2, seq: 1, personaId: p2.id, check: 'read-your-writes.list' }),
      expect.objectContaining({ tickId: ticks.A1, seq: 1, personaId: p1.id, check: 'read-your-writes.list' }),
    ]);
    // the notes group: only the finding inside [from, to) counts
    expect(res.body.items[0]).toMatchObject({ count: 1, ticks: 1, state: 'open' });
    expect(res.body.items[0].samples).toEqual([expect.objectContaining({ tickId: ticks.C1, seq: 1 })]);
  });

  it('should call a group open while one of the 3 newest ticks that used the tool shows it, gone after', async () => {
    const items = (await get(RANGE)).body.items;
    const state = (tool: string, cls: string) =>
      items.find((g: { tool: string; class: string }) => g.tool === tool && g.class === cls).state;
    expect(state('todo.list', 'wrong_result')).toBe('gone'); // A3, A4, A5 came after A2
    expect(state('todo.list', 'slow')).toBe('open'); // only A5 came after A4
    expect(state('todo.create', 'error')).toBe('open');
    // as of A4's start (to is exclusive), only A3 followed A2: still open then
    const earlier = await get(`from=${iso(T - 20 * D)}&to=${iso(T - 7 * D)}`);
    expect(earlier.body.items).toEqual([
      expect.objectContaining({ tool: 'todo.list', class: 'wrong_result', state: 'open' }),
    ]);
  });

  it('should match a group to a fault planted (same module, tool, class) while one of its findings was made', async () => {
    const items = (await get(RANGE)).body.items;
    const match = (tool: string, cls: string) =>
      items.find((g: { tool: string; class: string }) => g.tool === tool && g.class === cls)
        .matchesPlantedFault;
    expect(match('todo.create', 'error')).toEqual({ faultId: faults.create, defect: 'todo.create.error' });
    // drops-newest was planted around A4: G1's findings came before it, G2 is slow, not wrong_result
    expect(match('todo.list', 'wrong_result')).toBeNull();
    expect(match('todo.list', 'slow')).toBeNull();
    expect(match('notes.search', 'contract')).toBeNull();
  });

  it('should keep the personas’ own mistakes apart and list them with personaMistakes=true', async () => {
    const app = (await get(RANGE)).body.items.find((g: { tool: string }) => g.tool === 'todo.create');
    expect(app).toMatchObject({ count: 1, checks: ['call.error'] });
    const res = await get(`${RANGE}&personaMistakes=true`);
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ personaMistakes: true, total: 1 });
    expect(res.body.items).toEqual([
      expect.objectContaining({
        module: 'todo',
        tool: 'todo.create',
        class: 'error',
        count: 1,
        checks: ['call.invalid-input'],
        samples: [expect.objectContaining({ tickId: ticks.B1, seq: 2, personaId: p1.id })],
      }),
    ]);
  });

  it('should filter by module, class and state', async () => {
    const keys = async (q: string) =>
      (await get(`${RANGE}&${q}`)).body.items.map(
        (g: { tool: string; class: string }) => `${g.tool} ${g.class}`,
      );
    expect(await keys('module=notes')).toEqual(['notes.search contract']);
    expect(await keys('class=slow')).toEqual(['todo.list slow']);
    expect(await keys('state=gone')).toEqual(['todo.list wrong_result']);
    expect(await keys('state=open&module=todo')).toEqual(['todo.create error', 'todo.list slow']);
    expect(await keys('module=todo&class=contract')).toEqual([]);
  });

  it('should sort by a whitelisted key and page with offset and total', async () => {
    const byCount = await get(`${RANGE}&sort=-count`);
    expect(byCount.body.items[0]).toMatchObject({ tool: 'todo.list', class: 'wrong_result', count: 3 });
    const first = await get(`${RANGE}&limit=2`);
    const second = await get(`${RANGE}&limit=2&offset=2`);
    expect(first.body).toMatchObject({ total: 4, offset: 0 });
    expect(second.body).toMatchObject({ total: 4, offset: 2 });
    expect([...first.body.items, ...second.body.items].map((g: { class: string }) => g.class)).toEqual([
      'contract',
      'error',
      'slow',
      'wrong_result',
    ]);
    const past = await get(`${RANGE}&limit=2&offset=10`);
    expect(past.body).toMatchObject({ items: [], total: 4, offset: 10 });
  });

  it.each([
    ['class=nope', 'class must be one of error, slow, wrong_result, lost_write, contract, confusing'],
    ['state=closed', 'state must be one of open, gone'],
    ['personaMistakes=maybe', 'personaMistakes must be true or false'],
    ['sort=severity', 'sort must be one of lastSeen'],
    ['limit=0', 'limit must be at least 1'],
    ['offset=-1', 'offset must be at least 0'],
    [`module=${'m'.repeat(101)}`, 'module must be at most 100 characters'],
    ['from=yesterday', 'from must be an ISO 8601 date'],
    [`from=${iso(T)}&to=${iso(T - D)}`, 'from must be before to'],
    ['colour=red', 'colour'],
  ])('should answer 400 naming the field for %s', async (query, message) => {
    const res = await get(query);
    expect(res.status).toBe(400);
    expect(JSON.stringify(res.body.message)).toContain(message);
  });

  it('should count open app findings and the faults planted now in the overview', async () => {
    const before = (await http(t.url, 'GET', '/api/v1/reports/overview', { token: admin.accessToken })).body;
    expect(typeof before.openFindings).toBe('number');
    expect(before.plantedFaults).toEqual({ count: expect.any(Number), defects: expect.any(Array) });

    // a new open group now (a module of its own), and a persona mistake that must not count
    const now = Date.now();
    const module = `rpt${randomUUID().slice(0, 8)}`;
    const fresh = await tick('NOW', p1, now - 2 * M, [`${module}.list`]);
    const res = await underLease(t, p1.id, [fresh], (leaseToken) =>
      http(t.url, 'POST', `/api/v1/personas/internal/${p1.id}/findings`, {
        headers: { 'x-service-key': t.config.serviceKey },
        body: {
          leaseToken,
          findings: [
            {
              tickId: fresh,
              seq: 1,
              module,
              tool: `${module}.list`,
              class: 'lost_write',
              check: 'rw.list',
              expected: 'a',
              got: 'b',
              source: 'oracle',
            },
            {
              tickId: fresh,
              seq: 1,
              module,
              tool: `${module}.list`,
              class: 'error',
              check: 'input',
              expected: 'a',
              got: 'b',
              source: 'call',
              personaMistake: true,
            },
          ],
        },
      }),
    );
    expect(res.status).toBe(200);
    const id = randomUUID();
    await t.dataSource.query(
      `INSERT INTO faults (id, defect, probability, planted_by, planted_at) VALUES ($1, 'todo.create.error', 1, $2, now())`,
      [id, admin.id],
    );
    try {
      const after = (await http(t.url, 'GET', '/api/v1/reports/overview', { token: admin.accessToken })).body;
      expect(after.openFindings).toBe(before.openFindings + 1);
      expect(after.plantedFaults.count).toBe(before.plantedFaults.count + 1);
      expect(after.plantedFaults.defects).toContain('todo.create.error');
    } finally {
      await t.dataSource.query(`UPDATE faults SET cleared_at = now() WHERE id = $1`, [id]);
    }
  });
});
