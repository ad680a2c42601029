import { addDays } from '../../../common/dates.js';
import { parseRatings } from '../../tick/rating-parser.js';
import type { FindingReport } from '../brain.js';
import { localIso } from './local-time.js';
import { ScriptedDay } from './scripted.brain.js';
import { personalSpaceId } from './testing/fake-day.js';
import { FAMILY_SPACE_ID, singleDay } from './testing/single-day.js';

const finding = (over: Partial<FindingReport>): FindingReport => ({
  seq: null,
  module: 'todo',
  tool: 'todo.list',
  class: 'wrong_result',
  check: 'read-your-writes.list',
  expected: '"Fix the flaky login test" listed',
  got: 'missing',
  source: 'oracle',
  ...over,
});

describe(ScriptedDay.name, () => {
  it('should play exactly the same day for the same seed, persona and date', async () => {
    const a = singleDay();
    const b = singleDay();
    await a.day.play();
    await b.day.play();
    expect(a.calls.length).toBeGreaterThan(0);
    expect(b.calls).toEqual(a.calls);
    expect(await b.day.reply('rate')).toEqual(await a.day.reply('rate'));
  });

  it('should pick modules by weight and never a module of weight zero', () => {
    const counts: Record<string, number> = {};
    for (let d = 0; d < 120; d += 1) {
      const { day } = singleDay({
        date: addDays('2025-01-01', d),
        cadence: 'hourly',
        mix: { todo: 8, notes: 1, habits: 1, mood: 1, journal: 0 },
      });
      for (const m of day.plannedModules()) counts[m] = (counts[m] ?? 0) + 1;
    }
    expect(counts.journal).toBeUndefined();
    expect(counts.todo).toBeGreaterThan(100);
    expect(counts.todo).toBeGreaterThan(counts.notes ?? 0);
  });

  it('should play more modules in a once-a-day visit than in an hourly one, and 1–2 as the newbie', () => {
    const mix = { todo: 1, notes: 1, journal: 1, habits: 1, mood: 1, calendar: 1 };
    for (let d = 0; d < 30; d += 1) {
      const date = addDays('2025-01-01', d);
      expect(singleDay({ date, mix, cadence: 'daily' }).day.plannedModules().length).toBeGreaterThanOrEqual(
        4,
      );
      expect(singleDay({ date, mix, cadence: 'hourly' }).day.plannedModules().length).toBeLessThanOrEqual(3);
      const newbie = singleDay({ date, mix, archetype: 'overwhelmed-newbie' }).day.plannedModules();
      expect(newbie.length).toBeLessThanOrEqual(2);
    }
  });

  it('should never make more tool calls than its turn budget', async () => {
    for (const maxTurns of [1, 2, 5, 15]) {
      const { day, calls } = singleDay({ maxTurns, mix: { todo: 1, notes: 1, habits: 1, calendar: 1 } });
      await day.play();
      expect(calls.length).toBeLessThanOrEqual(maxTurns);
    }
  });

  it('should make the newbie slip on some days, each slip marked as its own and refused', async () => {
    let slips = 0;
    for (let d = 0; d < 30; d += 1) {
      const { day, calls } = singleDay({
        archetype: 'overwhelmed-newbie',
        date: addDays('2025-01-01', d),
        mix: { todo: 2, habits: 1, mood: 1, notes: 1, journal: 1, calendar: 1 },
      });
      await day.play();
      for (const c of calls.filter((x) => x.expectError)) {
        slips += 1;
        expect(c.ok).toBe(false);
      }
      expect(calls.filter((c) => !c.ok && !c.expectError)).toEqual([]);
    }
    expect(slips).toBeGreaterThan(3);
  });

  it('should never slip as any other archetype', async () => {
    for (const archetype of ['adhd-student', 'ceo-busy', 'creative-parent', 'researcher', 'freelancer']) {
      const { day, calls } = singleDay({ archetype, mix: { todo: 2, habits: 1, mood: 1, notes: 1 } });
      await day.play();
      expect(calls.filter((c) => c.expectError || !c.ok)).toEqual([]);
    }
  });

  it('should write content in the archetype voice with schema-valid enums', async () => {
    const { day, calls } = singleDay({ archetype: 'ceo-busy', mix: { todo: 1 } });
    await day.play();
    const creates = calls.filter((c) => c.name === 'todo.create');
    expect(creates.length).toBeGreaterThan(0);
    for (const c of creates) {
      expect(['low', 'medium', 'high', 'urgent', undefined]).toContain(c.input.priority);
      expect(c.ok).toBe(true);
    }
  });

  it('should act in a shared space it belongs to when it plays spaces', async () => {
    let shared = 0;
    for (let d = 0; d < 10; d += 1) {
      const { day, calls } = singleDay({ mix: { spaces: 1 }, seed: `spaces-${d}` });
      await day.play();
      shared += calls.filter((c) => c.spaceId === FAMILY_SPACE_ID && c.ok).length;
    }
    expect(shared).toBeGreaterThan(0);
  });

  it('should use delete tools only after opting in, and only on rows it made itself', async () => {
    let deletes = 0;
    for (let d = 0; d < 20; d += 1) {
      const seed = `delete-${d}`;
      const mix = { todo: 1, notes: 1, habits: 1 };
      const off = singleDay({ seed, mix, cadence: 'hourly' });
      await off.day.play();
      expect(off.calls.filter((c) => c.name.endsWith('.delete'))).toEqual([]);
      const on = singleDay({ seed, mix, cadence: 'hourly', destructiveTools: true });
      await on.day.play();
      for (const c of on.calls.filter((x) => x.name.endsWith('.delete'))) {
        deletes += 1;
        expect(c.ok).toBe(true);
        expect(c.spaceId).toBeUndefined();
      }
    }
    expect(deletes).toBeGreaterThan(0);
  });
});

describe(`${ScriptedDay.name} across days`, () => {
  it('should finish a task it wrote on an earlier day, on some days', async () => {
    let finished = 0;
    for (let d = 0; d < 20; d += 1) {
      let earlier: unknown;
      const { day, calls } = singleDay({
        mix: { todo: 1 },
        seed: `across-${d}`,
        before: (app, userId, setClock) => {
          setClock(new Date('2025-03-03T09:00:00Z'));
          const made = app.call(
            userId,
            'todo.create',
            { title: 'Ship the invoice export', dueDate: '2025-03-04' },
            personalSpaceId(userId),
          );
          earlier = (made.data as { task: { id: string } }).task.id;
        },
      });
      await day.play();
      if (calls.some((c) => c.name === 'todo.complete' && c.input.id === earlier)) finished += 1;
    }
    expect(finished).toBeGreaterThan(0);
  });

  it('should look back at the week of check-ins when it remembers checking in yesterday', async () => {
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
    let lookedBack = 0;
    for (let d = 0; d < 10; d += 1) {
      const { day, calls } = singleDay({ mix: { habits: 1 }, seed: `memory-${d}`, memory });
      await day.play();
      if (calls.some((c) => c.name === 'habits.recent_logs' && c.input.days === 7 && !c.input.habitId))
        lookedBack += 1;
    }
    expect(lookedBack).toBeGreaterThan(0);
  });
});

describe(`${ScriptedDay.name} ratings`, () => {
  it('should give 5 when everything worked, and say so in its own voice', async () => {
    const { day } = singleDay({ mix: { todo: 1 } });
    await day.play();
    expect(day.ratings()).toEqual([
      { module: 'todo', rating: 5, notes: expect.stringContaining('Everything worked') },
    ]);
    expect(day.ratings()[0].notes).toMatch(/^Today I (added|completed|looked at)/);
  });

  it('should cost points for failures it did not cause, and quote the answer', async () => {
    const { day, calls } = singleDay({
      mix: { todo: 1 },
      failWith: (name) => (name === 'todo.create' ? 'not found' : undefined),
    });
    await day.play();
    const [todo] = day.ratings();
    expect(todo.rating).toBeLessThan(5);
    expect(todo.notes).toContain('todo.create answered "not found"');
    const used = [...new Set(calls.map((c) => c.name.split('.')[0]))];
    expect(parseRatings(await day.reply('rate'), used).ok).toBe(true);
  });

  it("should follow the tick's findings of the module: 2 points for a wrong answer, told as what it did and saw", async () => {
    const findings: FindingReport[] = [];
    const { day, calls } = singleDay({ mix: { todo: 1 }, findings });
    await day.play();
    const list = calls.map((c) => c.name).lastIndexOf('todo.list') + 1;
    findings.push(finding({ seq: list }));
    const [todo] = day.ratings();
    expect(todo.rating).toBe(3);
    expect(todo.notes).toMatch(
      /I (added|changed|completed) “.+”, then looked at my to-dos: I expected .+ listed and got missing/,
    );
    expect(todo.notes).not.toContain('Everything worked');
  });

  it("should leave out the persona's own mistakes and the call's own error findings, and other modules' findings", async () => {
    const findings: FindingReport[] = [];
    const { day } = singleDay({ mix: { todo: 1 }, findings });
    await day.play();
    findings.push(
      finding({ personaMistake: true, class: 'error', check: 'call.failed' }),
      finding({ source: 'call', class: 'slow', check: 'call.slow' }),
      finding({ module: 'notes', tool: 'notes.search' }),
    );
    expect(day.ratings()).toEqual([
      { module: 'todo', rating: 5, notes: expect.stringContaining('Everything worked') },
    ]);
    findings.push(
      finding({ class: 'contract', check: 'limit.honoured', expected: 'at most 2 items', got: '5 items' }),
    );
    expect(day.ratings()[0].rating).toBe(4);
  });

  it('should mark a slow day down and say it felt slow', async () => {
    const { day } = singleDay({ mix: { todo: 1 }, latencyMs: 1500 });
    await day.play();
    const [todo] = day.ratings();
    expect(todo.rating).toBe(3);
    expect(todo.notes).toContain('It felt slow');
  });
});

describe('localIso', () => {
  it('should give the wall-clock hour with the zone offset of that day', () => {
    expect(localIso('2025-01-15', 9, 'Europe/Berlin')).toBe('2025-01-15T09:00:00+01:00');
    expect(localIso('2025-07-15', 9, 'Europe/Berlin')).toBe('2025-07-15T09:00:00+02:00');
    expect(localIso('2025-07-15', 9, 'UTC')).toBe('2025-07-15T09:00:00Z');
  });
});
