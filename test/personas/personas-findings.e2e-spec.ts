import { randomUUID } from 'node:crypto';
import { PersonasInternalController } from '../../src/personas/api/personas-internal.controller.js';
import type { TestApp } from '../support/test-app.js';
import { http } from '../support/http.js';
import { createPersona } from '../support/personas.js';
import { TickLeases } from '../support/leases.js';
import { bootPersonasApp, INTERNAL_BASE } from './personas-support.js';

describe(`${PersonasInternalController.name} POST /:id/findings`, () => {
  let t: TestApp;
  let personaId: string;
  let otherId: string;
  let key: { headers: Record<string, string> };

  beforeAll(async () => {
    t = await bootPersonasApp();
    personaId = (await createPersona(t)).userId;
    otherId = (await createPersona(t)).userId;
    key = { headers: { 'x-service-key': t.config.serviceKey } };
  });
  afterAll(() => t.close());

  /** A tick still running under its persona's lease, as the runner opens one (writes are fenced by it). */
  const leases = new TickLeases();
  const openTick = (id = personaId): Promise<string> => leases.open(t, id);
  const finding = (tickId: string, extra: Record<string, unknown> = {}) => ({
    tickId,
    seq: 3,
    module: 'todo',
    tool: 'todo.list',
    class: 'wrong_result',
    check: 'read-your-writes.list',
    expected: "'Buy milk' in the list",
    got: '2 items, none titled Buy milk',
    source: 'oracle',
    ...extra,
  });
  const post = (body: unknown, id = personaId, auth: object = key) =>
    http(t.url, 'POST', `${INTERNAL_BASE}/${id}/findings`, { ...auth, body: leases.sign(body) });
  const rowsOf = (tickId: string) =>
    t.dataSource.query(`SELECT * FROM persona_findings WHERE tick_id = $1 ORDER BY id`, [tickId]);

  it('should accept only the service key', async () => {
    const tick = await openTick();
    expect((await post({ findings: [finding(tick)] }, personaId, {})).status).toBe(401);
    expect(await rowsOf(tick)).toHaveLength(0);
  });

  it('should store a finding once under its deterministic id and count a repeat as a duplicate', async () => {
    const tick = await openTick();
    const body = { findings: [finding(tick), finding(tick, { seq: null, check: 'counts.recent' })] };
    const first = await post(body);
    expect(first.status).toBe(200);
    expect(first.body).toEqual({ inserted: 2, duplicates: 0 });
    expect((await post(body)).body).toEqual({ inserted: 0, duplicates: 2 });
    const rows = await rowsOf(tick);
    expect(rows.map((r: { id: string }) => r.id)).toEqual([
      `${tick}-3-read-your-writes.list`,
      `${tick}-none-counts.recent`,
    ]);
    expect(rows[0]).toMatchObject({
      persona_id: personaId,
      seq: 3,
      module: 'todo',
      tool: 'todo.list',
      class: 'wrong_result',
      check_name: 'read-your-writes.list',
      source: 'oracle',
      persona_mistake: false,
    });
  });

  it('should clip expected and got to 200 characters, and treat the clipped repeat as the same finding', async () => {
    const tick = await openTick();
    const body = { findings: [finding(tick, { expected: 'e'.repeat(500), got: 'g'.repeat(201) })] };
    expect((await post(body)).body).toEqual({ inserted: 1, duplicates: 0 });
    const [row] = await rowsOf(tick);
    expect(row.expected).toHaveLength(200);
    expect(row.got).toBe(`${'g'.repeat(199)}…`);
    expect((await post(body)).body).toEqual({ inserted: 0, duplicates: 1 });
  });

  it('should refuse the same id with a different payload with 422 and keep the stored row', async () => {
    const tick = await openTick();
    await post({ findings: [finding(tick)] });
    const res = await post({ findings: [finding(tick, { class: 'lost_write' })] });
    expect(res.status).toBe(422);
    expect(res.body.message).toContain(`${tick}-3-read-your-writes.list`);
    expect(res.body.message).toContain('class');
    expect((await rowsOf(tick))[0].class).toBe('wrong_result');
  });

  it('should answer 400 naming every bad field', async () => {
    const tick = await openTick();
    const res = await post({
      findings: [
        finding(tick, { class: 'meh', source: 'guess', seq: -1, check: '', tickId: 'nope', extra: 1 }),
      ],
    });
    expect(res.status).toBe(400);
    const message = JSON.stringify(res.body.message);
    for (const field of ['class', 'source', 'seq', 'check', 'tickId']) {
      expect(message).toContain(`findings.0.${field}`);
    }
    expect(message).toContain('findings.0.property extra should not exist');
    expect((await post({ findings: 'x' })).status).toBe(400);
    expect(await rowsOf(tick)).toHaveLength(0);
  });

  it("should refuse a finding of another persona's tick or an unknown tick, and 404 an unknown persona", async () => {
    const theirs = await openTick(otherId);
    const res = await post({ findings: [finding(theirs)] });
    expect(res.status).toBe(400);
    expect(res.body.message).toContain('findings[0].tickId');
    expect((await post({ findings: [finding(randomUUID())] })).status).toBe(400);
    expect(await rowsOf(theirs)).toHaveLength(0);
    expect((await post({ findings: [finding(theirs)] }, randomUUID())).status).toBe(404);
  });
});
