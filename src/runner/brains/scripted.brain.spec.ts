import type { BrainTool, DayContext, FindingReport, ToolOutcome } from './brain.js';
import { ScriptedDay, addDays, localIso } from './scripted.brain.js';
import { parseRatings } from '../rating-parser.js';

const obj = (properties: Record<string, unknown>, required: string[] = []) => ({
  type: 'object',
  properties,
  required,
  additionalProperties: false,
});
const str = { type: 'string', minLength: 1, maxLength: 200 };
const uuid = { type: 'string', format: 'uuid' };
const date = { type: 'string', format: 'date' };

const TOOLS: BrainTool[] = [
  [
    'todo.create',
    obj(
      { title: str, priority: { type: 'string', enum: ['low', 'medium', 'high', 'urgent'] }, dueDate: date },
      ['title'],
    ),
  ],
  ['todo.list', obj({ status: { type: 'string', enum: ['open', 'all'] } })],
  ['todo.complete', obj({ id: uuid }, ['id'])],
  ['todo.update', obj({ id: uuid, title: str, priority: str, dueDate: date }, ['id'])],
  ['notes.create', obj({ title: str, content: { type: 'string', maxLength: 20000 } }, ['title'])],
  ['notes.search', obj({ query: str }, ['query'])],
  [
    'journal.add',
    obj(
      { content: str, title: str, mood: { type: 'string', enum: ['great', 'good', 'okay', 'low', 'bad'] } },
      ['content'],
    ),
  ],
  ['habits.list', obj({})],
  ['habits.create', obj({ title: str }, ['title'])],
  ['habits.log', obj({ habitId: uuid, day: date }, ['habitId'])],
  ['habits.recent_logs', obj({ habitId: uuid, days: { type: 'integer', minimum: 1, maximum: 90 } })],
  [
    'mood.log',
    obj(
      {
        level: { type: 'integer', minimum: 1, maximum: 10 },
        emotion: { type: 'string', enum: ['happy', 'neutral', 'stressed'] },
      },
      ['level', 'emotion'],
    ),
  ],
].map(([name, inputSchema]) => ({
  name: name as string,
  module: (name as string).split('.')[0],
  description: '',
  inputSchema: inputSchema as Record<string, unknown>,
}));

interface Call {
  name: string;
  input: Record<string, unknown>;
}

/**
 * A day against a stand-in for the MCP session. The to-do tools answer like the real ones (an
 * in-memory list); every other call succeeds with a made-up row id.
 */
function playDay(options: {
  persona?: string;
  archetype?: string;
  date?: string;
  seed?: string;
  mix?: Record<string, number>;
  maxTurns?: number;
  fail?: (c: Call) => boolean;
  /** todo.list leaves out the newest task (a planted defect). */
  dropNewest?: boolean;
  /** Tasks already in the space (written on earlier days). */
  tasks?: Array<Record<string, unknown>>;
  /** What the persona remembers of earlier days. */
  memory?: DayContext['memory'];
}) {
  const calls: Call[] = [];
  const findings: FindingReport[] = [];
  const tasks: Array<Record<string, unknown>> = [...(options.tasks ?? [])];
  let n = 0;
  const todo = (name: string, input: Record<string, unknown>, id: string): unknown => {
    const now = new Date(Date.UTC(2025, 2, 4, 8, 0, n)).toISOString();
    if (name === 'todo.create') {
      const task = {
        id,
        title: input.title,
        description: input.description ?? null,
        priority: input.priority ?? 'medium',
        dueDate: input.dueDate ?? null,
        status: 'open',
        completedAt: null,
        subtasks: ((input.subtasks as string[] | undefined) ?? []).map((title) => ({ title, done: false })),
        createdAt: now,
      };
      tasks.unshift(task);
      return { task };
    }
    const task = tasks.find((t) => t.id === input.id);
    if (name === 'todo.list') {
      const items = tasks.filter((t) => input.status === 'all' || t.status === 'open');
      if (input.order === 'due') {
        // undated last, as todo.list promises (plain comparison: '~' sorts after every digit)
        items.sort((a, b) => (String(a.dueDate ?? '~') < String(b.dueDate ?? '~') ? -1 : 1));
      }
      const limited = items.slice(options.dropNewest ? 1 : 0, (input.limit as number | undefined) ?? 20);
      return { items: limited, count: limited.length };
    }
    if (!task) return undefined;
    if (name === 'todo.complete') Object.assign(task, { status: 'done', completedAt: now });
    if (name === 'todo.update') Object.assign(task, { ...input });
    return { task };
  };
  const context: DayContext = {
    persona: {
      id: options.persona ?? '6f1c1c51-8d40-4a38-9a0e-2f3c4b5a6d7e',
      email: 'persona.x@mana.test',
      archetype: options.archetype ?? 'solo-dev',
      systemPrompt: 'You are a test persona with a long enough prompt.',
      moduleMix: options.mix ?? { todo: 3, notes: 2, journal: 1, habits: 1, mood: 1 },
      timezone: 'Europe/Berlin',
      cadence: 'daily',
    },
    today: {
      date: options.date ?? '2025-03-04',
      weekday: 'Tuesday',
      time: '09:00',
      at: new Date('2025-03-04T08:00:00Z'),
    },
    tools: TOOLS,
    maxTurns: options.maxTurns ?? 15,
    memory: options.memory,
    signal: new AbortController().signal,
    callTool: async (name, input): Promise<ToolOutcome> => {
      const call = { name, input };
      calls.push(call);
      n += 1;
      const id = `00000000-0000-4000-a000-${String(n).padStart(12, '0')}`;
      if (options.fail?.(call))
        return { ok: false, errorKind: 'tool', text: 'not found', data: undefined, latencyMs: 5, seq: n };
      const data = name.startsWith('todo.')
        ? todo(name, input, id)
        : name === 'habits.recent_logs'
          ? { from: '2025-02-26', to: '2025-03-04', items: [], totals: [] }
          : name.endsWith('.list')
            ? { items: [{ id }], count: 1 }
            : { row: { id } };
      if (data === undefined)
        return { ok: false, errorKind: 'tool', text: 'not found', data: undefined, latencyMs: 5, seq: n };
      return { ok: true, errorKind: null, text: JSON.stringify(data), data, latencyMs: 5, seq: n };
    },
    reportFinding: async (finding) => {
      findings.push(finding);
    },
  };
  const day = new ScriptedDay(context, options.seed ?? 'seed');
  return { day, calls, findings };
}

describe(ScriptedDay.name, () => {
  it('should play exactly the same day for the same seed, persona and date', async () => {
    const a = playDay({});
    const b = playDay({});
    await a.day.play();
    await b.day.play();
    expect(a.calls.length).toBeGreaterThan(0);
    expect(b.calls).toEqual(a.calls);
    expect(await b.day.reply('rate')).toEqual(await a.day.reply('rate'));
  });

  it('should play a different day on another date, for another persona or another seed', async () => {
    const base = playDay({});
    await base.day.play();
    for (const other of [
      playDay({ date: '2025-03-05' }),
      playDay({ persona: '0a1b2c3d-0000-4000-a000-000000000001' }),
      playDay({ seed: 'other' }),
    ]) {
      await other.day.play();
      expect(other.calls).not.toEqual(base.calls);
    }
  });

  it('should pick modules by weight and never a module of weight zero', async () => {
    const counts: Record<string, number> = {};
    for (let d = 0; d < 120; d += 1) {
      const { day } = playDay({
        date: addDays('2025-01-01', d),
        mix: { todo: 8, notes: 1, habits: 1, mood: 1, journal: 0 },
      });
      for (const m of day.plannedModules()) counts[m] = (counts[m] ?? 0) + 1;
    }
    expect(counts.journal).toBeUndefined();
    expect(counts.todo).toBeGreaterThan(100);
    expect(counts.todo).toBeGreaterThan(counts.notes ?? 0);
  });

  it('should never make more tool calls than its turn budget', async () => {
    const { day, calls } = playDay({ maxTurns: 2 });
    await day.play();
    expect(calls.length).toBeLessThanOrEqual(2);
  });

  it('should make the newbie send invalid input or act in a confused order on some days', async () => {
    let mistakes = 0;
    for (let d = 0; d < 30; d += 1) {
      const { day, calls } = playDay({
        archetype: 'overwhelmed-newbie',
        date: addDays('2025-01-01', d),
        mix: { todo: 2, habits: 1, mood: 1, notes: 1, journal: 1 },
      });
      await day.play();
      for (const c of calls) {
        if (c.name === 'todo.create' && c.input.dueDate === 'next friday') mistakes += 1;
        if (c.name === 'todo.complete' && calls.indexOf(c) === 0) mistakes += 1;
        if (c.name === 'mood.log' && c.input.level === 42) mistakes += 1;
        if (c.name === 'notes.search' && c.input.query === '') mistakes += 1;
        if (c.name === 'journal.add' && c.input.content === undefined) mistakes += 1;
      }
    }
    expect(mistakes).toBeGreaterThan(0);
  });

  it('should rate from what happened: failures cost points and the notes say why', async () => {
    const clean = playDay({ mix: { todo: 1 } });
    await clean.day.play();
    const cleanRatings = clean.day.ratings();
    expect(clean.findings).toEqual([]);
    expect(cleanRatings).toEqual([
      { module: 'todo', rating: 5, notes: expect.stringContaining('Everything worked') },
    ]);

    const broken = playDay({ mix: { todo: 1 }, fail: (c) => c.name === 'todo.create' });
    await broken.day.play();
    const [todo] = broken.day.ratings();
    expect(todo.rating).toBeLessThan(5);
    expect(todo.notes).toContain('todo.create answered "not found"');

    const used = [...new Set(broken.calls.map((c) => c.name.split('.')[0]))];
    expect(parseRatings(await broken.day.reply('rate'), used).ok).toBe(true);
  });

  it('should write content in the archetype voice with due dates and schema-valid enums', async () => {
    const { day, calls } = playDay({ archetype: 'ceo-busy', mix: { todo: 1 } });
    await day.play();
    const creates = calls.filter((c) => c.name === 'todo.create');
    expect(creates.length).toBeGreaterThan(0);
    for (const c of creates) {
      expect(['low', 'medium', 'high', 'urgent']).toContain(c.input.priority);
      expect(typeof c.input.title).toBe('string');
    }
  });
});

describe(`${ScriptedDay.name} oracles`, () => {
  it('should find nothing wrong on a to-do list that keeps its promises, over many days', async () => {
    for (let d = 0; d < 20; d += 1) {
      const { day, findings } = playDay({ mix: { todo: 1 }, date: addDays('2025-01-01', d) });
      await day.play();
      expect(findings).toEqual([]);
    }
  });

  it('should blame the list, not the write, when a task is missing from the list but there by its id', async () => {
    const { day, findings } = playDay({ mix: { todo: 1 }, dropNewest: true });
    await day.play();
    expect(findings).toContainEqual(
      expect.objectContaining({ module: 'todo', tool: 'todo.list', class: 'wrong_result', source: 'oracle' }),
    );
    expect(findings.filter((f) => f.class === 'lost_write')).toEqual([]);
    const [todo] = day.ratings();
    expect(todo.rating).toBeLessThan(5);
    expect(todo.notes).toContain("didn't show it");
  });
});

describe(`${ScriptedDay.name} across days`, () => {
  const yesterdaysTask = {
    id: '00000000-0000-4000-b000-000000000001',
    title: 'Ship the invoice export',
    description: null,
    priority: 'high',
    dueDate: '2025-03-04',
    status: 'open',
    completedAt: null,
    subtasks: [],
    createdAt: '2025-03-03T09:00:00.000Z',
  };

  it('should finish a task it wrote on an earlier day, on some days, with nothing wrong to report', async () => {
    let finished = 0;
    for (let d = 0; d < 20; d += 1) {
      const { day, calls, findings } = playDay({
        mix: { todo: 1 },
        seed: `across-${d}`,
        tasks: [{ ...yesterdaysTask }],
      });
      await day.play();
      if (calls.some((c) => c.name === 'todo.complete' && c.input.id === yesterdaysTask.id)) finished += 1;
      expect(findings).toEqual([]);
    }
    expect(finished).toBeGreaterThan(0);
  });

  it('should miss the check-ins it remembers from yesterday when the app shows none', async () => {
    const memory = {
      text: 'Yesterday you checked in on a habit.',
      days: [
        {
          date: '2025-03-03',
          modules: ['habits'],
          ratings: [],
          findings: [],
          calls: [{ tool: 'habits.log', ok: true }],
        },
      ],
    };
    let reported = 0;
    for (let d = 0; d < 10; d += 1) {
      const { day, findings } = playDay({ mix: { habits: 1 }, seed: `memory-${d}`, memory });
      await day.play();
      if (findings.some((f) => f.check === 'read-your-writes.earlier-days')) {
        expect(findings).toContainEqual(
          expect.objectContaining({ module: 'habits', tool: 'habits.log', class: 'lost_write' }),
        );
        reported += 1;
      }
    }
    expect(reported).toBeGreaterThan(0);
  });
});

describe('localIso', () => {
  it('should give the wall-clock hour with the zone offset of that day', () => {
    expect(localIso('2025-01-15', 9, 'Europe/Berlin')).toBe('2025-01-15T09:00:00+01:00');
    expect(localIso('2025-07-15', 9, 'Europe/Berlin')).toBe('2025-07-15T09:00:00+02:00');
    expect(localIso('2025-07-15', 9, 'UTC')).toBe('2025-07-15T09:00:00Z');
  });
});
