import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { FieldCipher } from '../../src/crypto/field-cipher.js';
import { SpacesService } from '../../src/spaces/spaces.service.js';
import { bootTestApp } from '../support/test-app.js';
import type { TestApp } from '../support/test-app.js';
import { registerUser } from '../support/factories.js';
import type { TestUser } from '../support/factories.js';
import { http } from '../support/http.js';
import { personalSpaceId } from './module-tools.js';

interface McpUser {
  client: Client;
  headers: Record<string, string>;
  call(name: string, args?: Record<string, unknown>): Promise<CallToolResult>;
  ok<T = any>(name: string, args?: Record<string, unknown>): Promise<T>;
}

const APP_TABLES = [
  'habits',
  'habit_logs',
  'tasks',
  'notes',
  'journal_entries',
  'mood_entries',
  'calendar_events',
  'contacts',
];

const DESTRUCTIVE = ['habits.delete', 'todo.delete', 'notes.delete'];
const ALL_TOOLS = [
  'calendar.create_event',
  'calendar.list_events',
  'contacts.create',
  'contacts.search',
  'habits.archive',
  'habits.create',
  'habits.delete',
  'habits.list',
  'habits.log',
  'habits.recent_logs',
  'habits.update',
  'journal.add',
  'journal.list',
  'mood.log',
  'mood.recent',
  'notes.archive',
  'notes.create',
  'notes.delete',
  'notes.search',
  'notes.update',
  'spaces.list',
  'todo.complete',
  'todo.create',
  'todo.delete',
  'todo.list',
  'todo.update',
];

let t: TestApp;
let alice: TestUser;
let bob: TestUser;
let aliceSpace: string;
let aliceMcp: McpUser;
let bobMcp: McpUser;
const clients: Client[] = [];

function textOf(result: CallToolResult): string {
  return result.content.map((c) => (c.type === 'text' ? c.text : '')).join('\n');
}

/** The real MCP SDK client over Streamable HTTP, the bearer token (and space) in requestInit headers. */
async function connect(user: TestUser, space?: string): Promise<McpUser> {
  const headers: Record<string, string> = { authorization: `Bearer ${user.accessToken}` };
  if (space) headers['x-mana-space'] = space;
  const transport = new StreamableHTTPClientTransport(new URL(`${t.url}/mcp`), { requestInit: { headers } });
  const client = new Client({ name: 'tools-over-mcp-test', version: '1.0.0' });
  await client.connect(transport);
  clients.push(client);
  const call = (name: string, args: Record<string, unknown> = {}) =>
    client.callTool({ name, arguments: args }) as Promise<CallToolResult>;
  return {
    client,
    headers,
    call,
    ok: async (name, args = {}) => {
      const result = await call(name, args);
      if (result.isError) throw new Error(`${name} failed: ${textOf(result)}`);
      return (result.structuredContent ?? JSON.parse(textOf(result))) as never;
    },
  };
}

async function counts(): Promise<Record<string, number>> {
  const out: Record<string, number> = {};
  for (const table of APP_TABLES) {
    const rows = await t.dataSource.query(`SELECT count(*)::int AS n FROM ${table}`);
    out[table] = rows[0].n;
  }
  return out;
}

async function row(table: string, id: string): Promise<Record<string, any> | undefined> {
  return (await t.dataSource.query(`SELECT * FROM ${table} WHERE id = $1`, [id]))[0];
}

/** Decrypts a stored value with the key the vault hands the user's own client. */
async function decrypted(user: TestUser, table: string, column: string, id: string): Promise<string> {
  // the export needs the account password (re-authentication)
  const res = await http(t.url, 'POST', '/api/v1/me/encryption-vault/key', {
    token: user.accessToken,
    body: { password: user.password },
  });
  expect(res.status).toBe(200);
  const stored = (await row(table, id))![column];
  expect(stored).toMatch(/^enc:1:/);
  return new FieldCipher().decrypt(Buffer.from(res.body.key, 'base64'), stored, { table, column, rowId: id });
}

beforeAll(async () => {
  t = await bootTestApp({ TOOL_RATE_LIMIT: '100000' });
});
// each test gets two new users (Alice opted in to destructive tools): no test sees another's rows
beforeEach(async () => {
  alice = await registerUser(t);
  bob = await registerUser(t);
  aliceSpace = await personalSpaceId(t, alice.id);
  const optIn = await http(t.url, 'PATCH', '/api/v1/me/settings', {
    token: alice.accessToken,
    body: { destructiveTools: true },
  });
  expect(optIn.status).toBe(200);
  aliceMcp = await connect(alice);
  bobMcp = await connect(bob);
});

afterAll(async () => {
  for (const c of clients) await c.close().catch(() => undefined);
  await t?.close();
});

describe('tools over MCP', () => {
  it('should list every app tool to an opted-in user and all but the destructive ones otherwise', async () => {
    const listed = (await aliceMcp.client.listTools()).tools.map((tool) => tool.name);
    expect(listed).toEqual(expect.arrayContaining(ALL_TOOLS));
    const bobs = (await bobMcp.client.listTools()).tools.map((tool) => tool.name);
    expect(bobs).toEqual(expect.arrayContaining(ALL_TOOLS.filter((n) => !DESTRUCTIVE.includes(n))));
    for (const name of DESTRUCTIVE) expect(bobs).not.toContain(name);
    const schema = (await aliceMcp.client.listTools()).tools.find(
      (tool) => tool.name === 'todo.create',
    )!.inputSchema;
    expect(schema).toMatchObject({ type: 'object', additionalProperties: false });
  });

  it('should run every tool with valid input and leave the expected rows in the database', async () => {
    const today = new Date().toISOString().slice(0, 10);

    // habits
    const { habit } = await aliceMcp.ok('habits.create', {
      title: 'Stretch',
      emoji: '🧘',
      color: '#aa22cc',
      target: { count: 3, per: 'week' },
    });
    expect(await row('habits', habit.id)).toMatchObject({
      title: 'Stretch',
      target_count: 3,
      target_period: 'week',
      space_id: aliceSpace,
      created_by: alice.id,
    });
    expect((await aliceMcp.ok('habits.list')).items.map((h: { id: string }) => h.id)).toContain(habit.id);
    await aliceMcp.ok('habits.update', { id: habit.id, title: 'Stretch daily' });
    expect((await row('habits', habit.id))!.title).toBe('Stretch daily');
    const log = await aliceMcp.ok('habits.log', { habitId: habit.id, count: 2 });
    expect(log.created).toBe(true);
    expect((await row('habit_logs', log.log.id))!).toMatchObject({ habit_id: habit.id, count: 2 });
    expect((await aliceMcp.ok('habits.log', { habitId: habit.id })).created).toBe(false);
    const recent = await aliceMcp.ok('habits.recent_logs', { days: 90 });
    expect(recent.items).toEqual([{ habitId: habit.id, title: 'Stretch daily', day: today, count: 2 }]);
    await aliceMcp.ok('habits.archive', { id: habit.id });
    expect((await row('habits', habit.id))!.archived_at).not.toBeNull();
    await aliceMcp.ok('habits.delete', { id: habit.id });
    expect(await row('habits', habit.id)).toBeUndefined();

    // spaces
    const spaces = await aliceMcp.ok('spaces.list');
    expect(spaces.activeSpaceId).toBe(aliceSpace);
    expect(spaces.items).toEqual([
      expect.objectContaining({ id: aliceSpace, type: 'personal', role: 'owner', active: true }),
    ]);

    // todo
    const { task } = await aliceMcp.ok('todo.create', {
      title: 'Renew passport',
      description: 'photo first',
      priority: 'urgent',
      dueDate: '2030-01-31',
      subtasks: ['photo', 'form'],
    });
    expect(await decrypted(alice, 'tasks', 'title', task.id)).toBe('Renew passport');
    expect(await decrypted(alice, 'tasks', 'description', task.id)).toBe('photo first');
    expect(JSON.parse(await decrypted(alice, 'tasks', 'subtasks', task.id))).toEqual([
      { title: 'photo', done: false },
      { title: 'form', done: false },
    ]);
    expect((await row('tasks', task.id))!).toMatchObject({ priority: 'urgent', status: 'open', position: 1 });
    expect((await aliceMcp.ok('todo.list', { order: 'due', limit: 5 })).items[0].title).toBe(
      'Renew passport',
    );
    await aliceMcp.ok('todo.update', { id: task.id, title: 'Renew passport now', priority: 'high' });
    expect(await decrypted(alice, 'tasks', 'title', task.id)).toBe('Renew passport now');
    await aliceMcp.ok('todo.complete', { id: task.id });
    expect((await row('tasks', task.id))!.status).toBe('done');
    await aliceMcp.ok('todo.delete', { id: task.id });
    expect(await row('tasks', task.id)).toBeUndefined();

    // notes
    const { note } = await aliceMcp.ok('notes.create', {
      title: 'Recipe',
      content: 'Use 50% less sugar_cane',
    });
    expect(await decrypted(alice, 'notes', 'content', note.id)).toBe('Use 50% less sugar_cane');
    const other = (
      await aliceMcp.ok('notes.create', { title: 'Plain', content: 'fifty percent, sugar cane' })
    ).note;
    const search = (q: string) =>
      aliceMcp.ok('notes.search', { query: q }).then((r) => r.items.map((n: { id: string }) => n.id));
    expect(await search('RECIPE')).toEqual([note.id]);
    expect(await search('50%')).toEqual([note.id]);
    expect(await search('%')).toEqual([note.id]);
    expect(await search('sugar_cane')).toEqual([note.id]);
    expect(await search('_')).toEqual([note.id]);
    expect(await search('sugar')).toEqual([other.id, note.id]);
    await aliceMcp.ok('notes.update', { id: note.id, title: 'Cake recipe' });
    expect(await decrypted(alice, 'notes', 'title', note.id)).toBe('Cake recipe');
    await aliceMcp.ok('notes.archive', { id: note.id });
    expect((await row('notes', note.id))!.archived_at).not.toBeNull();
    expect(await search('sugar')).toEqual([other.id]);
    await aliceMcp.ok('notes.delete', { id: note.id });
    expect(await row('notes', note.id)).toBeUndefined();

    // journal
    const { entry } = await aliceMcp.ok('journal.add', {
      title: 'Day one',
      content: 'Three little words',
      entryDate: today,
      mood: 'great',
      tags: ['start'],
    });
    expect(await decrypted(alice, 'journal_entries', 'content', entry.id)).toBe('Three little words');
    expect((await row('journal_entries', entry.id))!).toMatchObject({
      word_count: 3,
      mood: 'great',
      tags: ['start'],
    });
    expect(
      (await aliceMcp.ok('journal.list', { from: today, to: today })).items.map((e: { id: string }) => e.id),
    ).toEqual([entry.id]);

    // mood
    const mood = (
      await aliceMcp.ok('mood.log', {
        level: 8,
        emotion: 'grateful',
        activity: 'friends',
        notes: 'dinner with Sam',
      })
    ).entry;
    expect(await decrypted(alice, 'mood_entries', 'notes', mood.id)).toBe('dinner with Sam');
    expect((await row('mood_entries', mood.id))!).toMatchObject({
      level: 8,
      emotion: 'grateful',
      activity: 'friends',
    });
    expect((await aliceMcp.ok('mood.recent', { days: 1 })).items.map((e: { id: string }) => e.id)).toEqual([
      mood.id,
    ]);

    // calendar
    const { event } = await aliceMcp.ok('calendar.create_event', {
      title: 'Standup',
      location: 'Room 4',
      startsAt: '2030-03-04T09:00:00Z',
      endsAt: '2030-03-04T09:15:00Z',
    });
    expect(await decrypted(alice, 'calendar_events', 'title', event.id)).toBe('Standup');
    expect(await decrypted(alice, 'calendar_events', 'location', event.id)).toBe('Room 4');
    const listed = await aliceMcp.ok('calendar.list_events', { from: '2030-03-04', to: '2030-03-05' });
    expect(listed.items.map((e: { id: string }) => e.id)).toEqual([event.id]);

    // contacts
    const { contact } = await aliceMcp.ok('contacts.create', {
      name: 'Grace Hopper',
      email: 'grace@navy.example',
      phone: '+1 555 0100',
      notes: 'compiler_person',
    });
    for (const [column, value] of [
      ['name', 'Grace Hopper'],
      ['email', 'grace@navy.example'],
      ['phone', '+1 555 0100'],
      ['notes', 'compiler_person'],
    ]) {
      expect(await decrypted(alice, 'contacts', column, contact.id)).toBe(value);
    }
    expect(
      (await aliceMcp.ok('contacts.search', { query: 'hopper' })).items.map((c: { id: string }) => c.id),
    ).toEqual([contact.id]);
    expect(
      (await aliceMcp.ok('contacts.search', { query: '_' })).items.map((c: { id: string }) => c.id),
    ).toEqual([contact.id]);
    expect((await aliceMcp.ok('contacts.search', { query: '%' })).items).toEqual([]);
  });

  it('should answer bad input to every tool with an error result naming the field, no 5xx, nothing written', async () => {
    const { habit } = await aliceMcp.ok('habits.create', { title: 'base habit' });
    const { task } = await aliceMcp.ok('todo.create', { title: 'base task' });
    const { note } = await aliceMcp.ok('notes.create', { title: 'base note', content: 'c' });
    const valid: Record<string, Record<string, unknown>> = {
      'habits.create': { title: 'h', emoji: '🙂', color: '#112233' },
      'habits.list': { archived: false },
      'habits.update': { id: habit.id, title: 'h2' },
      'habits.archive': { id: habit.id, archived: true },
      'habits.log': { habitId: habit.id, day: '2020-01-01', count: 1 },
      'habits.recent_logs': { habitId: habit.id, days: 7 },
      'habits.delete': { id: habit.id },
      'spaces.list': {},
      'todo.create': { title: 't', description: 'd', priority: 'low', dueDate: '2030-01-01' },
      'todo.list': { status: 'all', limit: 10, order: 'due' },
      'todo.complete': { id: task.id },
      'todo.update': { id: task.id, title: 't2', description: 'd2' },
      'todo.delete': { id: task.id },
      'notes.create': { title: 'n', content: 'c' },
      'notes.search': { query: 'q', limit: 5 },
      'notes.update': { id: note.id, title: 'n2', content: 'c2' },
      'notes.archive': { id: note.id },
      'notes.delete': { id: note.id },
      'journal.add': { title: 'j', content: 'c', entryDate: '2024-02-29', mood: 'okay' },
      'journal.list': { from: '2024-01-01', to: '2024-12-31', limit: 5 },
      'mood.log': { level: 5, emotion: 'calm', activity: 'rest', notes: 'n' },
      'mood.recent': { days: 7, limit: 5 },
      'calendar.create_event': {
        title: 'e',
        startsAt: '2030-01-01T10:00:00Z',
        endsAt: '2030-01-01T11:00:00Z',
      },
      'calendar.list_events': { from: '2030-01-01', to: '2030-02-01' },
      'contacts.create': { name: 'c', email: 'a@b.example', phone: '+1 555 0101', notes: 'n' },
      'contacts.search': { query: 'q', limit: 5 },
    };
    expect(Object.keys(valid).sort()).toEqual([...ALL_TOOLS].sort());

    // null is a valid value where the listed JSON Schema says so (e.g. todo.update description: null removes it)
    const schemas = new Map(
      (await aliceMcp.client.listTools()).tools.map((tool) => [tool.name, tool.inputSchema]),
    );
    const acceptsNull = (name: string, field: string) =>
      JSON.stringify(schemas.get(name)?.properties?.[field] ?? {}).includes('"type":"null"');

    const bad: Array<[string, Record<string, unknown>, RegExp]> = [];
    for (const [name, input] of Object.entries(valid)) {
      bad.push([name, { ...input, bogusField: 1 }, /bogusField/]);
      for (const [field, value] of Object.entries(input)) {
        const field$ = new RegExp(field);
        bad.push([
          name,
          { ...input, [field]: typeof value === 'string' ? 12345 : 'not the right type' },
          field$,
        ]);
        if (!acceptsNull(name, field)) bad.push([name, { ...input, [field]: null }, field$]);
        if (typeof value === 'string') {
          bad.push([name, { ...input, [field]: value + 'x'.repeat(25_000) }, field$]);
          bad.push([name, { ...input, [field]: `${value}\u0000` }, field$]);
          bad.push([name, { ...input, [field]: `${value}\uD800` }, field$]);
          bad.push([name, { ...input, [field]: `\uDC00${value}` }, field$]);
        }
      }
    }
    bad.push(
      ['habits.create', { title: '' }, /title/],
      ['habits.create', { title: '   ' }, /title/],
      ['habits.create', { title: 'x', color: 'red' }, /color/],
      ['habits.create', { title: 'x', color: '#12345g' }, /color/],
      ['habits.create', { title: 'x', target: { count: 0, per: 'day' } }, /target/],
      ['habits.create', { title: 'x', target: { count: 1, per: 'month' } }, /target/],
      ['habits.create', { title: 'x', target: { count: 1, per: 'day', extra: true } }, /extra/],
      ['habits.update', { id: habit.id }, /at least one/],
      ['habits.update', { id: 'not-a-uuid', title: 'x' }, /id/],
      ['habits.log', { habitId: habit.id, day: '2023-02-29' }, /day/],
      ['habits.log', { habitId: habit.id, day: '2023-13-01' }, /day/],
      ['habits.log', { habitId: habit.id, count: 101 }, /count/],
      ['habits.log', { habitId: habit.id, count: 1.5 }, /count/],
      ['habits.recent_logs', { days: 91 }, /days/],
      ['habits.recent_logs', { days: 0 }, /days/],
      ['todo.create', { title: 'x', priority: 'critical' }, /priority/],
      ['todo.create', { title: 'x', subtasks: Array.from({ length: 21 }, (_, i) => `s${i}`) }, /subtasks/],
      ['todo.create', { title: 'x', subtasks: ['ok', 'nul\u0000'] }, /subtasks/],
      ['todo.create', { title: 'x', dueDate: '2030-02-30' }, /dueDate/],
      ['todo.create', { title: 'x', dueDate: '30.01.2030' }, /dueDate/],
      ['todo.list', { limit: 101 }, /limit/],
      ['todo.list', { status: 'done' }, /status/],
      ['todo.list', { order: 'oldest' }, /order/],
      ['todo.update', { id: task.id, subtasks: [{ title: 's', done: 'yes' }] }, /subtasks/],
      ['notes.search', { query: '' }, /query/],
      ['notes.search', { query: 'q', limit: 51 }, /limit/],
      ['notes.update', { id: note.id }, /title or content/],
      ['journal.add', { content: 'c', tags: Array.from({ length: 11 }, (_, i) => `t${i}`) }, /tags/],
      ['journal.add', { content: 'c', tags: ['bad<tag>'] }, /tags/],
      ['journal.add', { content: 'c', mood: 'ecstatic' }, /mood/],
      ['journal.list', { from: '2024-02-01', to: '2024-01-01' }, /from/],
      ['mood.log', { level: 11, emotion: 'calm' }, /level/],
      ['mood.log', { level: 0, emotion: 'calm' }, /level/],
      ['mood.log', { level: 5, emotion: 'meh' }, /emotion/],
      ['mood.log', { level: 5 }, /emotion/],
      ['mood.recent', { days: 91 }, /days/],
      [
        'calendar.create_event',
        { title: 'e', startsAt: '2030-01-02T10:00:00Z', endsAt: '2030-01-01T10:00:00Z' },
        /endsAt/,
      ],
      [
        'calendar.create_event',
        { title: 'e', startsAt: '2030-01-01', endsAt: '2030-01-01T10:00:00Z' },
        /startsAt/,
      ],
      [
        'calendar.create_event',
        { title: 'e', startsAt: '2030-01-01T10:00:00', endsAt: '2030-01-01T11:00:00' },
        /startsAt/,
      ],
      ['calendar.list_events', { from: '2030-01-01', to: '2031-06-01' }, /366 days/],
      ['calendar.list_events', { from: '2030-02-01', to: '2030-01-01' }, /to/],
      ['contacts.create', { name: 'c', email: 'not-an-email' }, /email/],
      ['contacts.create', { name: 'c', phone: 'call me' }, /phone/],
      ['contacts.search', { query: 'q', limit: 0 }, /limit/],
    );

    const before = await counts();
    const habitBefore = await row('habits', habit.id);
    const taskBefore = await row('tasks', task.id);
    const noteBefore = await row('notes', note.id);
    for (const [name, input, names] of bad) {
      const result = await aliceMcp.call(name, input);
      const label = `${name} ${JSON.stringify(input).slice(0, 120)}`;
      expect({ label, isError: result.isError }).toEqual({ label, isError: true });
      expect({ label, text: textOf(result) }).toEqual({ label, text: expect.stringMatching(names) });
      expect(textOf(result)).not.toMatch(/Internal error/);
    }
    expect(bad.length).toBeGreaterThan(300);
    expect(await counts()).toEqual(before);
    expect(await row('habits', habit.id)).toEqual(habitBefore);
    expect(await row('tasks', task.id)).toEqual(taskBefore);
    expect(await row('notes', note.id)).toEqual(noteBefore);
    // the session is still healthy
    expect((await aliceMcp.ok('spaces.list')).activeSpaceId).toBe(aliceSpace);
  });

  it("should keep another space's rows out of reach by id, by search and by X-Mana-Space", async () => {
    const { task } = await aliceMcp.ok('todo.create', { title: 'alice kiwi task' });
    const { note } = await aliceMcp.ok('notes.create', { title: 'alice kiwi note', content: 'kiwi' });
    const { habit } = await aliceMcp.ok('habits.create', { title: 'alice kiwi habit' });
    await aliceMcp.ok('contacts.create', { name: 'Kiwi Contact' });
    const before = await counts();
    const snapshot = async () => [
      await row('tasks', task.id),
      await row('notes', note.id),
      await row('habits', habit.id),
    ];
    const rowsBefore = await snapshot();

    for (const [name, input] of [
      ['todo.complete', { id: task.id }],
      ['todo.update', { id: task.id, title: 'bob was here' }],
      ['notes.update', { id: note.id, content: 'bob was here' }],
      ['notes.archive', { id: note.id }],
      ['habits.update', { id: habit.id, title: 'bob was here' }],
      ['habits.archive', { id: habit.id }],
      ['habits.log', { habitId: habit.id }],
      ['habits.recent_logs', { habitId: habit.id }],
    ] as const) {
      const result = await bobMcp.call(name, input);
      expect(result.isError).toBe(true);
      expect(textOf(result)).toMatch(/not found in this space/);
    }
    // bob has not opted in to destructive tools; even so a delete of alice's row is refused
    const del = await bobMcp.call('todo.delete', { id: task.id });
    expect(del.isError).toBe(true);

    expect((await bobMcp.ok('notes.search', { query: 'kiwi' })).items).toEqual([]);
    expect((await bobMcp.ok('contacts.search', { query: 'kiwi' })).items).toEqual([]);
    expect(JSON.stringify(await bobMcp.ok('todo.list', { status: 'all', limit: 100 }))).not.toContain('kiwi');
    expect(JSON.stringify(await bobMcp.ok('habits.list'))).not.toContain('kiwi');

    // naming alice's space in X-Mana-Space: refused before any tool runs (403), at connect or mid-session
    const connectError = await connect(bob, aliceSpace).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(String(connectError)).toMatch(/403/);
    bobMcp.headers['x-mana-space'] = aliceSpace;
    const midSession = await bobMcp.call('todo.list', {}).then(
      (r) => textOf(r),
      (e: unknown) => String(e),
    );
    expect(midSession).toMatch(/403|not a member/);
    expect(midSession).not.toContain('kiwi');
    delete bobMcp.headers['x-mana-space'];
    expect((await bobMcp.ok('spaces.list')).activeSpaceId).toBe(await personalSpaceId(t, bob.id));

    expect(await counts()).toEqual(before);
    expect(await snapshot()).toEqual(rowsBefore);

    // once alice shares a space with bob, X-Mana-Space opens exactly that space and no other
    const family = await t.app.get(SpacesService).create(alice.id, 'Kiwis', 'family');
    await t.app.get(SpacesService).addMember(alice.id, family.id, bob.email);
    const aliceFamily = await connect(alice, family.id);
    const bobFamily = await connect(bob, family.id);
    const shared = (await aliceFamily.ok('todo.create', { title: 'shared kiwi' })).task;
    expect((await bobFamily.ok('todo.list')).items.map((i: { id: string }) => i.id)).toEqual([shared.id]);
    expect((await bobFamily.ok('notes.search', { query: 'kiwi' })).items).toEqual([]);
    const cross = await bobFamily.call('todo.complete', { id: task.id });
    expect(textOf(cross)).toMatch(/not found in this space/);
    expect((await row('tasks', shared.id))!.space_id).toBe(family.id);
  });
});
