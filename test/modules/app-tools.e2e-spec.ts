import { ToolError } from '../../src/tool-contract/tool.error.js';
import type { ToolContext } from '../../src/tool-contract/tool.types.js';
import { ToolRegistry } from '../../src/tools/tool.registry.js';
import { SpacesService } from '../../src/spaces/spaces.service.js';
import { HabitsService } from '../../src/modules/habits/habits.service.js';
import { TodoService } from '../../src/modules/todo/todo.service.js';
import { NotesService } from '../../src/modules/notes/notes.service.js';
import { JournalService } from '../../src/modules/journal/journal.service.js';
import { MoodService } from '../../src/modules/mood/mood.service.js';
import { CalendarService } from '../../src/modules/calendar/calendar.service.js';
import { ContactsService } from '../../src/modules/contacts/contacts.service.js';
import { SpacesTools } from '../../src/modules/spaces/spaces.tools.js';
import { bootTestApp } from '../support/test-app.js';
import type { TestApp } from '../support/test-app.js';
import { registerUser } from '../support/factories.js';
import type { TestUser } from '../support/factories.js';
import { callTool, decryptStored, personalSpaceId, toolContext } from './module-tools.js';

const today = () => new Date().toISOString().slice(0, 10);

const EXPECTED_TOOLS: Record<string, 'read' | 'write' | 'destructive'> = {
  'habits.create': 'write',
  'habits.list': 'read',
  'habits.update': 'write',
  'habits.archive': 'write',
  'habits.log': 'write',
  'habits.recent_logs': 'read',
  'habits.delete': 'destructive',
  'spaces.list': 'read',
  'todo.create': 'write',
  'todo.list': 'read',
  'todo.complete': 'write',
  'todo.update': 'write',
  'todo.delete': 'destructive',
  'notes.create': 'write',
  'notes.search': 'read',
  'notes.update': 'write',
  'notes.archive': 'write',
  'notes.delete': 'destructive',
  'journal.add': 'write',
  'journal.list': 'read',
  'mood.log': 'write',
  'mood.recent': 'read',
  'calendar.create_event': 'write',
  'calendar.list_events': 'read',
  'contacts.create': 'write',
  'contacts.search': 'read',
};

let t: TestApp;
let alice: TestUser;
let bob: TestUser;
let aliceCtx: ToolContext;
let bobCtx: ToolContext;

beforeAll(async () => {
  t = await bootTestApp();
});
// each test gets two new users with empty spaces: no test sees what another left (any order)
beforeEach(async () => {
  alice = await registerUser(t);
  bob = await registerUser(t);
  aliceCtx = toolContext(t, alice.id, await personalSpaceId(t, alice.id));
  bobCtx = toolContext(t, bob.id, await personalSpaceId(t, bob.id));
});
afterAll(() => t?.close());

async function expectNotFound(promise: Promise<unknown>): Promise<void> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(ToolError);
  expect((error as ToolError).message).toMatch(/not found in this space/);
}

async function row(table: string, id: string): Promise<Record<string, any>> {
  const rows = await t.dataSource.query(`SELECT * FROM ${table} WHERE id = $1`, [id]);
  return rows[0];
}

describe(ToolRegistry.name, () => {
  it('should register every app tool with its policy, all user-space, with strict inputs', () => {
    const registry = t.app.get(ToolRegistry);
    for (const [name, policy] of Object.entries(EXPECTED_TOOLS)) {
      const tool = registry.get(name);
      expect(tool?.options.policy).toBe(policy);
      expect(tool?.options.scope).toBe('user-space');
      expect(tool!.options.input.safeParse({ unexpectedField: 1 }).success).toBe(false);
    }
    expect(registry.modules()).toEqual(
      expect.arrayContaining([
        'calendar',
        'contacts',
        'habits',
        'journal',
        'mood',
        'notes',
        'spaces',
        'todo',
      ]),
    );
  });
});

describe(HabitsService.name, () => {
  it('should create, list, update, archive, log and delete habits in the active space', async () => {
    const { habit: h1 } = await callTool(
      t,
      'habits.create',
      { title: 'Drink water', emoji: '💧', color: '#22aa88', target: { count: 8, per: 'day' } },
      aliceCtx,
    );
    const { habit: h2 } = await callTool(t, 'habits.create', { title: 'Read' }, aliceCtx);
    expect(h1).toMatchObject({
      title: 'Drink water',
      emoji: '💧',
      color: '#22aa88',
      target: { count: 8, per: 'day' },
      archived: false,
    });
    expect(h2.position).toBe(h1.position + 1);
    const stored = await row('habits', h1.id);
    expect(stored).toMatchObject({
      title: 'Drink water',
      created_by: alice.id,
      last_actor: alice.id,
      space_id: aliceCtx.spaceId,
    });
    expect(stored).not.toHaveProperty('user_id');

    const list = await callTool(t, 'habits.list', {}, aliceCtx);
    expect(list.items.map((h: { id: string }) => h.id)).toEqual([h1.id, h2.id]);

    const { habit: updated } = await callTool(
      t,
      'habits.update',
      { id: h1.id, title: 'Drink more water', color: null, target: null },
      aliceCtx,
    );
    expect(updated).toMatchObject({ title: 'Drink more water', color: null, target: null, emoji: '💧' });

    const first = await callTool(t, 'habits.log', { habitId: h1.id }, aliceCtx);
    expect(first).toMatchObject({ created: true, log: { habitId: h1.id, day: today(), count: 1 } });
    const again = await callTool(t, 'habits.log', { habitId: h1.id, day: today(), count: 3 }, aliceCtx);
    expect(again).toMatchObject({ created: false, log: { id: first.log.id, count: 1 } });
    expect(again.message).toMatch(/already logged/);
    const yesterday = new Date(Date.now() - 86_400_000).toISOString().slice(0, 10);
    await callTool(t, 'habits.log', { habitId: h1.id, day: yesterday, count: 2 }, aliceCtx);
    await expect(callTool(t, 'habits.log', { habitId: h1.id, day: '2999-01-01' }, aliceCtx)).rejects.toThrow(
      /future/,
    );

    const recent = await callTool(t, 'habits.recent_logs', { days: 7 }, aliceCtx);
    expect(recent.items).toHaveLength(2);
    expect(recent.totals).toEqual([
      { habitId: h1.id, title: 'Drink more water', daysLogged: 2, checkIns: 3 },
    ]);
    const oneDay = await callTool(t, 'habits.recent_logs', { habitId: h1.id, days: 1 }, aliceCtx);
    expect(oneDay.items.map((i: { day: string }) => i.day)).toEqual([today()]);

    const { habit: archived } = await callTool(t, 'habits.archive', { id: h2.id }, aliceCtx);
    expect(archived.archived).toBe(true);
    await expect(callTool(t, 'habits.log', { habitId: h2.id }, aliceCtx)).rejects.toThrow(/archived/);
    expect((await callTool(t, 'habits.list', {}, aliceCtx)).items.map((h: { id: string }) => h.id)).toEqual([
      h1.id,
    ]);
    expect(
      (await callTool(t, 'habits.list', { archived: true }, aliceCtx)).items.map((h: { id: string }) => h.id),
    ).toEqual([h2.id]);
    const { habit: restored } = await callTool(t, 'habits.archive', { id: h2.id, archived: false }, aliceCtx);
    expect(restored.archived).toBe(false);

    await callTool(t, 'habits.delete', { id: h1.id }, aliceCtx);
    expect(await row('habits', h1.id)).toBeUndefined();
    const logs = await t.dataSource.query(`SELECT count(*)::int AS n FROM habit_logs WHERE habit_id = $1`, [
      h1.id,
    ]);
    expect(logs[0].n).toBe(0);
    await expectNotFound(callTool(t, 'habits.delete', { id: h1.id }, aliceCtx));
  });

  it('should give distinct positions to 25 concurrent creates', async () => {
    const user = await registerUser(t);
    const ctx = toolContext(t, user.id, await personalSpaceId(t, user.id));
    const results = await Promise.all(
      Array.from({ length: 25 }, (_, i) => callTool(t, 'habits.create', { title: `habit ${i}` }, ctx)),
    );
    const positions = results.map((r) => r.habit.position).sort((a, b) => a - b);
    expect(positions).toEqual(Array.from({ length: 25 }, (_, i) => i + 1));
  });

  it("should never touch another space's habit by id", async () => {
    const { habit } = await callTool(t, 'habits.create', { title: 'Alice only' }, aliceCtx);
    await expectNotFound(callTool(t, 'habits.update', { id: habit.id, title: 'hacked' }, bobCtx));
    await expectNotFound(callTool(t, 'habits.archive', { id: habit.id }, bobCtx));
    await expectNotFound(callTool(t, 'habits.log', { habitId: habit.id }, bobCtx));
    await expectNotFound(callTool(t, 'habits.recent_logs', { habitId: habit.id }, bobCtx));
    await expectNotFound(callTool(t, 'habits.delete', { id: habit.id }, bobCtx));
    expect(await row('habits', habit.id)).toMatchObject({
      title: 'Alice only',
      archived_at: null,
      last_actor: alice.id,
    });
    expect(
      (await callTool(t, 'habits.list', {}, bobCtx)).items.map((h: { id: string }) => h.id),
    ).not.toContain(habit.id);
  });
});

describe(TodoService.name, () => {
  it('should store title, description and subtasks as enc:1 ciphertext that decrypts to the input', async () => {
    const input = {
      title: 'Call the dentist 🦷',
      description: 'Ask about Tuesday',
      priority: 'high',
      dueDate: '2030-02-28',
      subtasks: ['find number', 'check calendar'],
    };
    const { task } = await callTool(t, 'todo.create', input, aliceCtx);
    expect(task).toMatchObject({
      title: input.title,
      description: input.description,
      priority: 'high',
      dueDate: '2030-02-28',
      status: 'open',
      subtasks: [
        { title: 'find number', done: false },
        { title: 'check calendar', done: false },
      ],
      decryptionFailed: false,
    });
    const stored = await row('tasks', task.id);
    for (const column of ['title', 'description', 'subtasks']) expect(stored[column]).toMatch(/^enc:1:/);
    expect(JSON.stringify(stored)).not.toContain('dentist');
    const at = (column: string) => ({ table: 'tasks', column, rowId: task.id });
    expect(await decryptStored(t, aliceCtx.spaceId, alice.id, at('title'), stored.title)).toBe(input.title);
    expect(await decryptStored(t, aliceCtx.spaceId, alice.id, at('description'), stored.description)).toBe(
      input.description,
    );
    expect(
      JSON.parse(await decryptStored(t, aliceCtx.spaceId, alice.id, at('subtasks'), stored.subtasks)),
    ).toEqual(task.subtasks);
  });

  it('should list open or all, newest first or by due date, complete, update and delete', async () => {
    const user = await registerUser(t);
    const ctx = toolContext(t, user.id, await personalSpaceId(t, user.id));
    const a = (await callTool(t, 'todo.create', { title: 'a', dueDate: '2031-01-02' }, ctx)).task;
    const b = (await callTool(t, 'todo.create', { title: 'b' }, ctx)).task;
    const c = (await callTool(t, 'todo.create', { title: 'c', dueDate: '2031-01-01' }, ctx)).task;
    const ids = (r: { items: Array<{ id: string }> }) => r.items.map((i) => i.id);
    expect(ids(await callTool(t, 'todo.list', {}, ctx))).toEqual([c.id, b.id, a.id]);
    expect(ids(await callTool(t, 'todo.list', { order: 'due' }, ctx))).toEqual([c.id, a.id, b.id]);
    expect(ids(await callTool(t, 'todo.list', { limit: 1 }, ctx))).toEqual([c.id]);

    const { task: done } = await callTool(t, 'todo.complete', { id: b.id }, ctx);
    expect(done.status).toBe('done');
    expect(done.completedAt).not.toBeNull();
    const { task: doneAgain } = await callTool(t, 'todo.complete', { id: b.id }, ctx);
    expect(doneAgain.completedAt).toBe(done.completedAt);
    expect(ids(await callTool(t, 'todo.list', { status: 'open' }, ctx))).toEqual([c.id, a.id]);
    expect(ids(await callTool(t, 'todo.list', { status: 'all' }, ctx))).toEqual([c.id, b.id, a.id]);

    const { task: updated } = await callTool(
      t,
      'todo.update',
      {
        id: a.id,
        title: 'a2',
        description: 'now with details',
        priority: 'urgent',
        dueDate: null,
        subtasks: [{ title: 's', done: true }],
      },
      ctx,
    );
    expect(updated).toMatchObject({
      title: 'a2',
      description: 'now with details',
      priority: 'urgent',
      dueDate: null,
      subtasks: [{ title: 's', done: true }],
    });
    const { task: reopened } = await callTool(t, 'todo.update', { id: b.id, status: 'open' }, ctx);
    expect(reopened).toMatchObject({ status: 'open', completedAt: null });
    expect((await row('tasks', a.id)).last_actor).toBe(user.id);

    await callTool(t, 'todo.delete', { id: c.id }, ctx);
    expect(await row('tasks', c.id)).toBeUndefined();
  });

  it('should give distinct positions to 30 concurrent creates', async () => {
    const user = await registerUser(t);
    const ctx = toolContext(t, user.id, await personalSpaceId(t, user.id));
    const results = await Promise.all(
      Array.from({ length: 30 }, (_, i) => callTool(t, 'todo.create', { title: `task ${i}` }, ctx)),
    );
    expect(new Set(results.map((r) => r.task.position)).size).toBe(30);
    expect(Math.max(...results.map((r) => r.task.position))).toBe(30);
  });

  it("should never touch another space's task by id", async () => {
    const { task } = await callTool(t, 'todo.create', { title: 'private task' }, aliceCtx);
    const before = await row('tasks', task.id);
    await expectNotFound(callTool(t, 'todo.complete', { id: task.id }, bobCtx));
    await expectNotFound(callTool(t, 'todo.update', { id: task.id, title: 'hacked' }, bobCtx));
    await expectNotFound(callTool(t, 'todo.update', { id: task.id, status: 'done' }, bobCtx));
    await expectNotFound(callTool(t, 'todo.delete', { id: task.id }, bobCtx));
    expect(await row('tasks', task.id)).toEqual(before);
    const bobList = await callTool(t, 'todo.list', { status: 'all', limit: 100 }, bobCtx);
    expect(bobList.items.map((i: { id: string }) => i.id)).not.toContain(task.id);
  });
});

describe(NotesService.name, () => {
  it('should search title and content case-insensitively, newest first, with % and _ as literal text', async () => {
    const user = await registerUser(t);
    const ctx = toolContext(t, user.id, await personalSpaceId(t, user.id));
    const n1 = (await callTool(t, 'notes.create', { title: 'Grocery LIST', content: 'milk, eggs' }, ctx))
      .note;
    const n2 = (
      await callTool(
        t,
        'notes.create',
        { title: 'Ideas', content: 'a shopping list app; 100% done_ish' },
        ctx,
      )
    ).note;
    const n3 = (await callTool(t, 'notes.create', { title: 'Other', content: '100 percent, done ish' }, ctx))
      .note;
    const stored = await row('notes', n1.id);
    expect(stored.title).toMatch(/^enc:1:/);
    expect(stored.content).toMatch(/^enc:1:/);

    const ids = (r: { items: Array<{ id: string }> }) => r.items.map((i) => i.id);
    expect(ids(await callTool(t, 'notes.search', { query: 'list' }, ctx))).toEqual([n2.id, n1.id]);
    expect(ids(await callTool(t, 'notes.search', { query: 'MILK' }, ctx))).toEqual([n1.id]);
    expect(ids(await callTool(t, 'notes.search', { query: '100%' }, ctx))).toEqual([n2.id]);
    expect(ids(await callTool(t, 'notes.search', { query: '%' }, ctx))).toEqual([n2.id]);
    expect(ids(await callTool(t, 'notes.search', { query: 'done_ish' }, ctx))).toEqual([n2.id]);
    expect(ids(await callTool(t, 'notes.search', { query: '_' }, ctx))).toEqual([n2.id]);
    expect(ids(await callTool(t, 'notes.search', { query: 'list', limit: 1 }, ctx))).toEqual([n2.id]);
    const none = await callTool(t, 'notes.search', { query: 'nothing like this' }, ctx);
    expect(none).toMatchObject({ items: [], count: 0, scanned: 3, windowFull: false, unreadable: 0 });

    const { note: updated } = await callTool(
      t,
      'notes.update',
      { id: n3.id, content: 'now about a LIST' },
      ctx,
    );
    expect(updated).toMatchObject({ title: 'Other', content: 'now about a LIST' });
    expect(ids(await callTool(t, 'notes.search', { query: 'list' }, ctx))).toEqual([n3.id, n2.id, n1.id]);

    await callTool(t, 'notes.archive', { id: n2.id }, ctx);
    expect(ids(await callTool(t, 'notes.search', { query: 'list' }, ctx))).toEqual([n3.id, n1.id]);
    expect(ids(await callTool(t, 'notes.search', { query: 'list', includeArchived: true }, ctx))).toEqual([
      n3.id,
      n2.id,
      n1.id,
    ]);
    await callTool(t, 'notes.delete', { id: n1.id }, ctx);
    expect(ids(await callTool(t, 'notes.search', { query: 'list' }, ctx))).toEqual([n3.id]);
  });

  it("should never find or touch another space's notes", async () => {
    const { note } = await callTool(
      t,
      'notes.create',
      { title: 'alice secret zebra', content: 'zebra plans' },
      aliceCtx,
    );
    expect((await callTool(t, 'notes.search', { query: 'zebra' }, bobCtx)).items).toEqual([]);
    await expectNotFound(callTool(t, 'notes.update', { id: note.id, title: 'x' }, bobCtx));
    await expectNotFound(callTool(t, 'notes.archive', { id: note.id }, bobCtx));
    await expectNotFound(callTool(t, 'notes.delete', { id: note.id }, bobCtx));
    expect(
      (await callTool(t, 'notes.search', { query: 'zebra' }, aliceCtx)).items.map(
        (n: { id: string }) => n.id,
      ),
    ).toEqual([note.id]);
  });
});

describe(JournalService.name, () => {
  it('should add entries with a server-side word count and list them by date', async () => {
    const user = await registerUser(t);
    const ctx = toolContext(t, user.id, await personalSpaceId(t, user.id));
    const { entry } = await callTool(
      t,
      'journal.add',
      {
        title: 'Monday',
        content: "It's a good day — really, truly good! 🙂",
        entryDate: '2025-03-03',
        mood: 'good',
        tags: ['Work', 'work', 'family time'],
      },
      ctx,
    );
    expect(entry).toMatchObject({
      title: 'Monday',
      entryDate: '2025-03-03',
      mood: 'good',
      tags: ['work', 'family time'],
      wordCount: 7,
    });
    const stored = await row('journal_entries', entry.id);
    expect(stored.title).toMatch(/^enc:1:/);
    expect(stored.content).toMatch(/^enc:1:/);
    expect(stored.word_count).toBe(7);
    await callTool(t, 'journal.add', { content: 'second', entryDate: '2025-03-05' }, ctx);
    await callTool(t, 'journal.add', { content: 'today' }, ctx);
    const all = await callTool(t, 'journal.list', {}, ctx);
    expect(all.items.map((e: { content: string }) => e.content)).toEqual(['today', 'second', entry.content]);
    const range = await callTool(t, 'journal.list', { from: '2025-03-01', to: '2025-03-04' }, ctx);
    expect(range.items.map((e: { id: string }) => e.id)).toEqual([entry.id]);
    await expect(callTool(t, 'journal.add', { content: 'x', entryDate: '2999-01-01' }, ctx)).rejects.toThrow(
      /future/,
    );
    expect(
      (await callTool(t, 'journal.list', {}, bobCtx)).items.map((e: { id: string }) => e.id),
    ).not.toContain(entry.id);
  });
});

describe(MoodService.name, () => {
  it('should log moods with encrypted notes and list recent ones with the average', async () => {
    const user = await registerUser(t);
    const ctx = toolContext(t, user.id, await personalSpaceId(t, user.id));
    const { entry } = await callTool(
      t,
      'mood.log',
      { level: 7, emotion: 'calm', activity: 'outdoors', notes: 'walk by the river' },
      ctx,
    );
    await callTool(t, 'mood.log', { level: 4, emotion: 'tired' }, ctx);
    expect((await row('mood_entries', entry.id)).notes).toMatch(/^enc:1:/);
    const recent = await callTool(t, 'mood.recent', {}, ctx);
    expect(recent.items.map((e: { level: number }) => e.level)).toEqual([4, 7]);
    expect(recent.averageLevel).toBe(5.5);
    expect(recent.items[1]).toMatchObject({
      emotion: 'calm',
      activity: 'outdoors',
      notes: 'walk by the river',
    });
    expect(
      (await callTool(t, 'mood.recent', {}, bobCtx)).items.map((e: { id: string }) => e.id),
    ).not.toContain(entry.id);
  });
});

describe(CalendarService.name, () => {
  it('should create events and list those overlapping a range', async () => {
    const user = await registerUser(t);
    const ctx = toolContext(t, user.id, await personalSpaceId(t, user.id));
    const { event: e1 } = await callTool(
      t,
      'calendar.create_event',
      {
        title: 'Dentist',
        location: 'Main St 1',
        description: 'bring card',
        startsAt: '2030-05-02T09:00:00+02:00',
        endsAt: '2030-05-02T10:00:00+02:00',
      },
      ctx,
    );
    await callTool(
      t,
      'calendar.create_event',
      { title: 'Trip', startsAt: '2030-05-10T00:00:00Z', endsAt: '2030-05-12T00:00:00Z', allDay: true },
      ctx,
    );
    const stored = await row('calendar_events', e1.id);
    for (const column of ['title', 'description', 'location']) expect(stored[column]).toMatch(/^enc:1:/);
    expect(e1).toMatchObject({
      title: 'Dentist',
      location: 'Main St 1',
      startsAt: '2030-05-02T07:00:00.000Z',
    });

    const may = await callTool(t, 'calendar.list_events', { from: '2030-05-01', to: '2030-06-01' }, ctx);
    expect(may.items.map((e: { title: string }) => e.title)).toEqual(['Dentist', 'Trip']);
    const overlap = await callTool(
      t,
      'calendar.list_events',
      { from: '2030-05-11T12:00:00Z', to: '2030-05-20' },
      ctx,
    );
    expect(overlap.items.map((e: { title: string }) => e.title)).toEqual(['Trip']);
    expect(
      (await callTool(t, 'calendar.list_events', { from: '2030-05-01', to: '2030-06-01' }, bobCtx)).items,
    ).toEqual([]);
  });
});

describe(ContactsService.name, () => {
  it('should create contacts with every detail encrypted and search them in memory', async () => {
    const user = await registerUser(t);
    const ctx = toolContext(t, user.id, await personalSpaceId(t, user.id));
    const { contact } = await callTool(
      t,
      'contacts.create',
      {
        name: 'Dr. Ada Lovelace',
        email: 'Ada@Example.com',
        phone: '+44 20 7946 0000',
        notes: 'met at 50% off sale',
      },
      ctx,
    );
    await callTool(t, 'contacts.create', { name: 'Charles' }, ctx);
    const stored = await row('contacts', contact.id);
    for (const column of ['name', 'email', 'phone', 'notes']) expect(stored[column]).toMatch(/^enc:1:/);
    expect(contact.email).toBe('ada@example.com');
    const ids = (r: { items: Array<{ id: string }> }) => r.items.map((i) => i.id);
    expect(ids(await callTool(t, 'contacts.search', { query: 'ada' }, ctx))).toEqual([contact.id]);
    expect(ids(await callTool(t, 'contacts.search', { query: '7946' }, ctx))).toEqual([contact.id]);
    expect(ids(await callTool(t, 'contacts.search', { query: '50%' }, ctx))).toEqual([contact.id]);
    expect(ids(await callTool(t, 'contacts.search', { query: 'a' }, ctx))).toHaveLength(2);
    expect((await callTool(t, 'contacts.search', { query: 'ada' }, bobCtx)).items).toEqual([]);
  });
});

describe(SpacesTools.name, () => {
  it('should list my spaces with type and role and mark the active one; a shared space is shared by its members', async () => {
    const spaces = t.app.get(SpacesService);
    const family = await spaces.create(alice.id, 'The Family', 'family');
    await spaces.addMember(alice.id, family.id, bob.email);

    const aliceInFamily = toolContext(t, alice.id, family.id);
    const bobInFamily = toolContext(t, bob.id, family.id);
    const mine = await callTool(t, 'spaces.list', {}, aliceInFamily);
    expect(mine.activeSpaceId).toBe(family.id);
    expect(mine.items).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ id: aliceCtx.spaceId, type: 'personal', role: 'owner', active: false }),
        expect.objectContaining({
          id: family.id,
          name: 'The Family',
          type: 'family',
          role: 'owner',
          active: true,
        }),
      ]),
    );
    const bobs = await callTool(t, 'spaces.list', {}, bobCtx);
    expect(bobs.items.find((s: { id: string }) => s.id === family.id)).toMatchObject({
      role: 'member',
      active: false,
    });

    const { task } = await callTool(t, 'todo.create', { title: 'family groceries' }, aliceInFamily);
    const seenByBob = await callTool(t, 'todo.list', {}, bobInFamily);
    expect(seenByBob.items.map((i: { title: string }) => i.title)).toEqual(['family groceries']);
    await callTool(t, 'todo.complete', { id: task.id }, bobInFamily);
    const stored = await row('tasks', task.id);
    expect(stored).toMatchObject({ created_by: alice.id, last_actor: bob.id, space_id: family.id });
    const keys = await t.dataSource.query(`SELECT count(*)::int AS n FROM space_keys WHERE space_id = $1`, [
      family.id,
    ]);
    expect(keys[0].n).toBe(1);
    // the family's task is encrypted with the family key, not Alice's personal key
    await expect(
      decryptStored(
        t,
        aliceCtx.spaceId,
        alice.id,
        { table: 'tasks', column: 'title', rowId: task.id },
        stored.title,
      ),
    ).rejects.toThrow(/authentication failed/);
    // and it is invisible from Alice's personal space
    await expectNotFound(callTool(t, 'todo.update', { id: task.id, title: 'x' }, aliceCtx));
  });
});
