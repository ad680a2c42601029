import { addDays } from '../../../../common/dates.js';
import type { Row } from '../answers.js';
import { APP_TOOL_INPUTS } from './app-tools.js';

export interface FakeSpace {
  id: string;
  name: string;
  type: string;
  members: string[];
}

export interface FakeAnswer {
  ok: boolean;
  text: string;
  data: unknown;
}

type Table = 'tasks' | 'notes' | 'journal' | 'habits' | 'logs' | 'moods' | 'events' | 'contacts';

const has = (text: unknown, query: string): boolean =>
  typeof text === 'string' && text.toLowerCase().includes(query.toLowerCase());
const byNewest = (a: Row, b: Row): number => String(b.createdAt).localeCompare(String(a.createdAt));

/**
 * A tiny in-memory stand-in for the app's 26 user-space tools, for specs of the scripted brain: it
 * validates each input with the tool's real zod schema (an invalid call fails as the server's would)
 * and answers plausible rows, space by space. It keeps its promises; it is not the app.
 */
export class FakeApp {
  private n = 0;
  private readonly tables = new Map<string, Record<Table, Row[]>>();
  private readonly spaces: FakeSpace[] = [];

  constructor(private readonly clock: () => Date) {}

  /** A space (personal or shared) and its members (user ids). */
  addSpace(space: FakeSpace): void {
    this.spaces.push(space);
  }

  call(userId: string, name: string, rawInput: Row, spaceId: string): FakeAnswer {
    const schema = APP_TOOL_INPUTS[name];
    if (!schema) return this.fail(`There is no tool named "${name}".`);
    const parsed = schema.safeParse(rawInput);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      return this.fail(`Invalid input for ${name}: ${issue.path.join('.')}: ${issue.message}`);
    }
    const space = this.spaces.find((s) => s.id === spaceId && s.members.includes(userId));
    if (!space) return this.fail('You are not a member of that space.');
    const data = this.answer(userId, name, parsed.data as Row, this.tablesOf(spaceId));
    if (typeof data === 'string') return this.fail(data);
    return { ok: true, text: JSON.stringify(data), data };
  }

  private answer(userId: string, name: string, input: Row, t: Record<Table, Row[]>): unknown {
    const now = this.now();
    const [module, action] = name.split('.');
    if (name === 'spaces.list') {
      const items = this.spaces
        .filter((s) => s.members.includes(userId))
        .map((s) => ({ id: s.id, name: s.name, type: s.type, role: 'member', active: false }));
      return { activeSpaceId: items[0]?.id, items };
    }
    if (module === 'todo') return this.todo(action, input, t.tasks, now);
    if (module === 'notes') return this.notes(action, input, t.notes, now);
    if (module === 'habits') return this.habits(action, input, t, now);
    if (name === 'journal.add') {
      const entry = this.insert(t.journal, {
        title: input.title ?? null,
        content: input.content,
        entryDate: input.entryDate ?? now.slice(0, 10),
        mood: input.mood ?? null,
        tags: input.tags,
        wordCount: String(input.content).split(/\s+/).filter(Boolean).length,
        createdAt: now,
      });
      return { entry };
    }
    if (name === 'journal.list') {
      const items = t.journal
        .filter(
          (e) =>
            (!input.from || String(e.entryDate) >= String(input.from)) &&
            (!input.to || String(e.entryDate) <= String(input.to)),
        )
        .sort((a, b) => String(b.entryDate).localeCompare(String(a.entryDate)))
        .slice(0, input.limit as number);
      return { items, count: items.length };
    }
    if (name === 'mood.log') {
      return {
        entry: this.insert(t.moods, {
          ...input,
          activity: input.activity ?? null,
          notes: input.notes ?? null,
          loggedAt: now,
        }),
      };
    }
    if (name === 'mood.recent') {
      const since = Date.parse(now) - (input.days as number) * 86_400_000;
      const items = t.moods
        .filter((m) => Date.parse(String(m.loggedAt)) >= since)
        .reverse()
        .slice(0, input.limit as number);
      const average = items.length ? items.reduce((s, m) => s + (m.level as number), 0) / items.length : null;
      return { items, count: items.length, averageLevel: average };
    }
    if (name === 'calendar.create_event') {
      return {
        event: this.insert(t.events, { description: null, location: null, ...input, createdAt: now }),
      };
    }
    if (name === 'calendar.list_events') {
      const from = Date.parse(instant(input.from));
      const to = Date.parse(instant(input.to));
      const items = t.events.filter(
        (e) => Date.parse(String(e.endsAt)) > from && Date.parse(String(e.startsAt)) < to,
      );
      return { items, count: items.length, truncated: false };
    }
    if (name === 'contacts.create') {
      return {
        contact: this.insert(t.contacts, { email: null, phone: null, notes: null, ...input, createdAt: now }),
      };
    }
    if (name === 'contacts.search') {
      const q = String(input.query);
      const items = t.contacts
        .filter((c) => [c.name, c.email, c.phone, c.notes].some((v) => has(v, q)))
        .sort(byNewest)
        .slice(0, input.limit as number);
      return { items, count: items.length, scanned: t.contacts.length, windowFull: false, unreadable: 0 };
    }
    return `no fake for ${name}`;
  }

  private todo(action: string, input: Row, tasks: Row[], now: string): unknown {
    if (action === 'create') {
      const subtasks = ((input.subtasks as string[] | undefined) ?? []).map((title) => ({
        title,
        done: false,
      }));
      const task = this.insert(tasks, {
        title: input.title,
        description: input.description ?? null,
        priority: input.priority,
        dueDate: input.dueDate ?? null,
        status: 'open',
        completedAt: null,
        subtasks,
        position: tasks.length,
        createdAt: now,
        updatedAt: now,
      });
      return { task };
    }
    if (action === 'list') {
      const items = tasks
        .filter((x) => input.status === 'all' || x.status === 'open')
        .sort(
          input.order === 'due'
            ? (a, b) => String(a.dueDate ?? '~').localeCompare(String(b.dueDate ?? '~'))
            : byNewest,
        )
        .slice(0, input.limit as number);
      return { items, count: items.length };
    }
    const task = tasks.find((x) => x.id === input.id);
    if (!task) return 'task not found';
    if (action === 'complete') Object.assign(task, { status: 'done', completedAt: task.completedAt ?? now });
    if (action === 'update') Object.assign(task, withoutId(input), { updatedAt: now });
    if (action === 'delete') return this.remove(tasks, task);
    return { task };
  }

  private notes(action: string, input: Row, notes: Row[], now: string): unknown {
    if (action === 'create') {
      return {
        note: this.insert(notes, {
          title: input.title,
          content: input.content,
          archived: false,
          createdAt: now,
          updatedAt: now,
        }),
      };
    }
    if (action === 'search') {
      const q = String(input.query);
      const items = notes
        .filter((x) => (input.includeArchived || !x.archived) && (has(x.title, q) || has(x.content, q)))
        .sort(byNewest)
        .slice(0, input.limit as number);
      return { items, count: items.length, scanned: notes.length, windowFull: false, unreadable: 0 };
    }
    const note = notes.find((x) => x.id === input.id);
    if (!note) return 'note not found';
    if (action === 'update' || action === 'archive')
      Object.assign(note, withoutId(input), { updatedAt: now });
    if (action === 'delete') return this.remove(notes, note);
    return { note };
  }

  private habits(action: string, input: Row, t: Record<Table, Row[]>, now: string): unknown {
    if (action === 'create') {
      const habit = this.insert(t.habits, {
        emoji: null,
        color: null,
        target: null,
        ...input,
        position: t.habits.length,
        archived: false,
        createdAt: now,
        updatedAt: now,
      });
      return { habit };
    }
    if (action === 'list') {
      const items = t.habits.filter((h) => h.archived === input.archived);
      return { items, count: items.length };
    }
    if (action === 'recent_logs') {
      const to = now.slice(0, 10);
      const from = addDays(to, 1 - (input.days as number));
      const items = t.logs.filter(
        (l) => (!input.habitId || l.habitId === input.habitId) && String(l.day) >= from,
      );
      const totals = [...new Set(items.map((l) => l.habitId))].map((habitId) => {
        const mine = items.filter((l) => l.habitId === habitId);
        const checkIns = mine.reduce((s, l) => s + (l.count as number), 0);
        return { habitId, title: mine[0].title, daysLogged: mine.length, checkIns };
      });
      return { from, to, items, totals };
    }
    const habit = t.habits.find((h) => h.id === (input.habitId ?? input.id));
    if (!habit) return 'habit not found';
    if (action === 'log') {
      const day = (input.day as string | undefined) ?? now.slice(0, 10);
      const earlier = t.logs.find((l) => l.habitId === habit.id && l.day === day);
      if (earlier) return { log: earlier, created: false, message: 'already checked in that day' };
      const log = this.insert(t.logs, { habitId: habit.id, title: habit.title, day, count: input.count });
      return { log, created: true, message: 'checked in' };
    }
    if (action === 'update' || action === 'archive')
      Object.assign(habit, withoutId(input), { updatedAt: now });
    if (action === 'delete') return this.remove(t.habits, habit);
    return { habit };
  }

  private insert(table: Row[], row: Row): Row {
    const saved = { id: this.id(), ...row };
    table.push(saved);
    return saved;
  }

  private remove(table: Row[], row: Row): unknown {
    table.splice(table.indexOf(row), 1);
    return { deleted: true, id: row.id };
  }

  private tablesOf(spaceId: string): Record<Table, Row[]> {
    let t = this.tables.get(spaceId);
    if (!t) {
      t = { tasks: [], notes: [], journal: [], habits: [], logs: [], moods: [], events: [], contacts: [] };
      this.tables.set(spaceId, t);
    }
    return t;
  }

  private id(): string {
    this.n += 1;
    return `00000000-0000-4000-a000-${String(this.n).padStart(12, '0')}`;
  }

  /** The clock, a millisecond later for every row, so newest-first is well defined. */
  private now(): string {
    this.n += 1;
    return new Date(this.clock().getTime() + this.n).toISOString();
  }

  private fail(text: string): FakeAnswer {
    return { ok: false, text, data: undefined };
  }
}

function withoutId(input: Row): Row {
  return Object.fromEntries(Object.entries(input).filter(([k]) => k !== 'id'));
}

function instant(value: unknown): string {
  return /^\d{4}-\d{2}-\d{2}$/.test(String(value)) ? `${String(value)}T00:00:00Z` : String(value);
}
