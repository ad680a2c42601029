import { randomUUID } from 'node:crypto';
import { FAULT_CATALOG } from '../../src/faults/fault-catalog.js';
import type { DefectId } from '../../src/faults/fault-catalog.js';
import { FaultsService } from '../../src/faults/faults.service.js';
import { ToolExecutor } from '../../src/tools/tool.executor.js';
import { bootTestApp } from '../support/test-app.js';
import type { TestApp } from '../support/test-app.js';
import { createAdmin, registerUser } from '../support/factories.js';
import type { TestUser } from '../support/factories.js';
import { personalSpaceId } from '../modules/module-tools.js';
import { clearAllFaults } from './faults-support.js';

type Caller = Parameters<ToolExecutor['execute']>[2];
type Outcome = Awaited<ReturnType<ToolExecutor['execute']>>;

/** One user's tool calls through the real ToolExecutor (policy, schemas, handler, output check). */
interface Session {
  call(tool: string, input: Record<string, unknown>): Promise<Outcome>;
  /** The output of a call that must succeed. */
  ok(tool: string, input: Record<string, unknown>): Promise<any>;
}

/**
 * Per defect: a short scenario that answers true when the defect shows in the tools' answers.
 * Each runs twice on a fresh account: with nothing planted it must answer false (the clean app),
 * planted it must answer true. Slow defects are planted with a 1 s delay.
 */
const SHOWS: Record<DefectId, (s: Session) => Promise<boolean>> = {
  'todo.create.error': async (s) => failsUnavailable(await s.call('todo.create', { title: 'Buy milk' })),
  'todo.list.slow': async (s) => (await elapsed(() => s.ok('todo.list', {}))) >= 700,
  'todo.list.drops-newest': async (s) => {
    const task = (await s.ok('todo.create', { title: `newest ${randomUUID()}` })).task;
    const listed = await s.ok('todo.list', { limit: 100 });
    return !listed.items.some((i: { id: string }) => i.id === task.id);
  },
  'todo.complete.stays-open': async (s) => {
    const task = (await s.ok('todo.create', { title: 'Send invoice' })).task;
    return (await s.ok('todo.complete', { id: task.id })).task.status === 'open';
  },
  'todo.update.drops-field': async (s) => {
    const task = (await s.ok('todo.create', { title: 'Draft', priority: 'low' })).task;
    const updated = (await s.ok('todo.update', { id: task.id, title: 'Final', priority: 'high' })).task;
    return updated.title !== 'Final' || updated.priority !== 'high';
  },
  'todo.update.not-saved': async (s) => {
    const task = (await s.ok('todo.create', { title: 'Call the bank' })).task;
    const answered = (await s.ok('todo.update', { id: task.id, title: 'Call the bank at 9' })).task;
    const stored = (await s.ok('todo.list', { status: 'all', limit: 100 })).items.find(
      (i: { id: string }) => i.id === task.id,
    );
    return answered.title === 'Call the bank at 9' && stored.title === 'Call the bank';
  },
  'todo.list.ignores-limit': async (s) => {
    for (const title of ['one', 'two', 'three']) await s.ok('todo.create', { title });
    return (await s.ok('todo.list', { limit: 2 })).count > 2;
  },
  'todo.create.ignores-due-date': async (s) =>
    (await s.ok('todo.create', { title: 'Taxes', dueDate: '2030-04-15' })).task.dueDate !== '2030-04-15',
  'notes.search.case-sensitive': async (s) => {
    const word = `Zebra${randomUUID().slice(0, 8)}`;
    await s.ok('notes.create', { title: `${word} sighting`, content: 'at the zoo' });
    return (await s.ok('notes.search', { query: word.toLowerCase() })).count === 0;
  },
  'notes.search.ignores-last-word': async (s) => {
    const word = `kiwi${randomUUID().slice(0, 8)}`;
    await s.ok('notes.create', { title: `${word} smoothie`, content: 'with banana' });
    return (await s.ok('notes.search', { query: `${word} strawberry` })).count > 0;
  },
  'notes.create.not-persisted': async (s) => {
    const word = `meeting${randomUUID().slice(0, 8)}`;
    const note = (await s.ok('notes.create', { title: word, content: 'agenda' })).note;
    return note.title === word && (await s.ok('notes.search', { query: word })).count === 0;
  },
  'habits.log.counts-twice': async (s) => {
    const habit = (await s.ok('habits.create', { title: 'Stretch' })).habit;
    const logged = await s.ok('habits.log', { habitId: habit.id, count: 1 });
    const recent = await s.ok('habits.recent_logs', { habitId: habit.id, days: 1 });
    return logged.log.count !== 1 || recent.totals[0].checkIns !== 1;
  },
  'habits.archive.not-saved': async (s) => {
    const habit = (await s.ok('habits.create', { title: 'Read' })).habit;
    const archived = (await s.ok('habits.archive', { id: habit.id })).habit;
    const active = (await s.ok('habits.list', {})).items;
    return archived.archived && active.some((h: { id: string }) => h.id === habit.id);
  },
  'journal.add.error': async (s) =>
    failsUnavailable(await s.call('journal.add', { content: 'A quiet day.' })),
  'journal.list.ignores-limit': async (s) => {
    for (const content of ['one', 'two', 'three']) await s.ok('journal.add', { content });
    return (await s.ok('journal.list', { limit: 1 })).count > 1;
  },
  'mood.log.scale-inverted': async (s) =>
    (await s.ok('mood.log', { level: 2, emotion: 'sad' })).entry.level !== 2,
  'mood.recent.slow': async (s) => (await elapsed(() => s.ok('mood.recent', {}))) >= 400,
  'calendar.create_event.hour-off': async (s) => {
    const startsAt = '2030-05-01T10:00:00.000Z';
    const event = (
      await s.ok('calendar.create_event', { title: 'Dentist', startsAt, endsAt: '2030-05-01T11:00:00.000Z' })
    ).event;
    const listed = await s.ok('calendar.list_events', { from: '2030-05-01', to: '2030-05-02' });
    return event.startsAt !== startsAt || listed.items[0].startsAt !== startsAt;
  },
  'calendar.list_events.ignores-to': async (s) => {
    await s.ok('calendar.create_event', {
      title: 'Later',
      startsAt: '2030-06-10T10:00:00Z',
      endsAt: '2030-06-10T11:00:00Z',
    });
    return (await s.ok('calendar.list_events', { from: '2030-06-01', to: '2030-06-05' })).count > 0;
  },
  'calendar.list_events.slow': async (s) =>
    (await elapsed(() => s.ok('calendar.list_events', { from: '2030-01-01', to: '2030-01-02' }))) >= 400,
  'contacts.create.not-persisted': async (s) => {
    const name = `Ada ${randomUUID().slice(0, 8)}`;
    const contact = (await s.ok('contacts.create', { name })).contact;
    return contact.name === name && (await s.ok('contacts.search', { query: name })).count === 0;
  },
  'contacts.search.error': async (s) => failsUnavailable(await s.call('contacts.search', { query: 'Ada' })),
};

function failsUnavailable(outcome: Outcome): boolean {
  return !outcome.ok && outcome.kind === 'tool_error' && outcome.code === 'UNAVAILABLE';
}

async function elapsed(run: () => Promise<unknown>): Promise<number> {
  const started = Date.now();
  await run();
  return Date.now() - started;
}

let t: TestApp;
let admin: TestUser;
let faults: FaultsService;

beforeAll(async () => {
  t = await bootTestApp({ TOOL_RATE_LIMIT: '10000' });
  admin = await createAdmin(t);
  faults = t.app.get(FaultsService);
});
afterAll(async () => {
  if (t) await clearAllFaults(t);
  await t?.close();
});

async function session(): Promise<Session> {
  const user = await registerUser(t);
  const caller: Caller = {
    user: { id: user.id, kind: 'human', tier: 'public', role: 'user' },
    spaceId: await personalSpaceId(t, user.id),
    invoker: 'runner',
  };
  const executor = t.app.get(ToolExecutor);
  const call = (tool: string, input: Record<string, unknown>) => executor.execute(tool, input, caller);
  return {
    call,
    async ok(tool, input) {
      const outcome = await call(tool, input);
      if (!outcome.ok) throw new Error(`${tool} failed: ${outcome.code} ${outcome.message}`);
      return outcome.output;
    },
  };
}

describe('every catalog defect', () => {
  it('should have a scenario here', () => {
    expect(Object.keys(SHOWS).sort()).toEqual(FAULT_CATALOG.map((d) => d.id).sort());
  });

  it.each(FAULT_CATALOG.map((d) => [d.id, d.class] as const))(
    'should change the answer of its tool only while planted: %s (%s)',
    async (id, cls) => {
      const shows = SHOWS[id];
      expect(await shows(await session())).toBe(false);

      const planted = await faults.plant(admin.id, {
        defect: id,
        probability: 1,
        delayMs: cls === 'slow' ? 1000 : undefined,
      });
      try {
        expect(await shows(await session())).toBe(true);
      } finally {
        await faults.clear(admin.id, planted.id);
      }
      expect(await shows(await session())).toBe(false);
    },
  );
});

describe('a planted defect', () => {
  it("should change only what the caller's own space sees: another user's rows stay out of reach", async () => {
    const alice = await session();
    const bob = await session();
    const word = `secret${randomUUID().slice(0, 8)}`;
    await bob.ok('notes.create', { title: word, content: 'bob only' });
    const planted = await faults.plant(admin.id, { defect: 'notes.search.ignores-last-word' });
    try {
      // alice's two-word query loses its last word; the search still covers her space alone
      expect((await alice.ok('notes.search', { query: `${word} anything` })).count).toBe(0);
      expect((await bob.ok('notes.search', { query: `${word} anything` })).count).toBe(1);
    } finally {
      await faults.clear(admin.id, planted.id);
    }
  });

  it('should answer a lost write as a stored one: the same fields, a fresh id, the database timestamps', async () => {
    const s = await session();
    const word = `lost${randomUUID().slice(0, 8)}`;
    const stored = (await s.ok('notes.create', { title: `${word} kept`, content: 'x' })).note;
    const planted = await faults.plant(admin.id, { defect: 'notes.create.not-persisted' });
    let lost: any;
    try {
      lost = (await s.ok('notes.create', { title: `${word} gone`, content: 'y' })).note;
    } finally {
      await faults.clear(admin.id, planted.id);
    }
    expect(Object.keys(lost).sort()).toEqual(Object.keys(stored).sort());
    expect(lost).toMatchObject({
      title: `${word} gone`,
      content: 'y',
      archived: false,
      unreadableFields: [],
    });
    expect(lost.id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(lost.id).not.toBe(stored.id);
    expect(lost.createdAt >= stored.createdAt).toBe(true);
    expect(lost.updatedAt === lost.createdAt).toBe(stored.updatedAt === stored.createdAt);
    // nothing of it stays: the search finds the stored note alone, and the lost id cannot be changed
    const found = await s.ok('notes.search', { query: word });
    expect(found.items.map((n: { id: string }) => n.id)).toEqual([stored.id]);
    const update = await s.call('notes.update', { id: lost.id, title: 'again' });
    expect(update).toMatchObject({ ok: false, code: 'NOT_FOUND' });
  });

  it('should lose only the writes of the call it chose: a call beside it stores', async () => {
    const s = await session();
    const planted = await faults.plant(admin.id, { defect: 'contacts.create.not-persisted' });
    try {
      const name = `Grace ${randomUUID().slice(0, 8)}`;
      const [lost, kept] = await Promise.all([
        s.ok('contacts.create', { name }),
        s.ok('notes.create', { title: name, content: 'beside it' }),
      ]);
      expect(lost.contact.name).toBe(name);
      expect((await s.ok('contacts.search', { query: name })).count).toBe(0);
      expect((await s.ok('notes.search', { query: name })).items.map((n: { id: string }) => n.id)).toEqual([
        kept.note.id,
      ]);
    } finally {
      await faults.clear(admin.id, planted.id);
    }
  });

  it('should apply with its probability: 0 never shows', async () => {
    const planted = await faults.plant(admin.id, { defect: 'contacts.search.error', probability: 0 });
    try {
      const s = await session();
      for (let i = 0; i < 5; i += 1) expect((await s.call('contacts.search', { query: 'x' })).ok).toBe(true);
    } finally {
      await faults.clear(admin.id, planted.id);
    }
  });
});
