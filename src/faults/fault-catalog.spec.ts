import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig } from '../config/app-config.js';
import { ConfigError } from '../config/config.error.js';
import { parseFaultSpecs } from '../config/fault-spec.js';
import { FAULT_CATALOG, FAULT_CLASSES, findDefect } from './fault-catalog.js';
import { bootFaultProblems, faultSpecProblems } from './fault-checks.js';
import type { FaultInput } from './fault-catalog.js';
import { FaultsService } from './faults.service.js';

/** Every source file of an app module, concatenated (to find the tools it declares). */
function moduleSource(module: string): string {
  const dir = join(process.cwd(), 'src', 'modules', module);
  return readdirSync(dir)
    .filter((f) => f.endsWith('.ts') && !f.endsWith('.spec.ts'))
    .map((f) => readFileSync(join(dir, f), 'utf8'))
    .join('\n');
}

describe('FAULT_CATALOG', () => {
  it('should have unique ids', () => {
    const ids = FAULT_CATALOG.map((d) => d.id);
    expect(new Set(ids).size).toBe(ids.length);
  });

  it('should hold at least 14 defects over at least 6 modules', () => {
    expect(FAULT_CATALOG.length).toBeGreaterThanOrEqual(14);
    expect(new Set(FAULT_CATALOG.map((d) => d.module)).size).toBeGreaterThanOrEqual(6);
  });

  it.each(FAULT_CLASSES)('should have at least two %s defects', (cls) => {
    expect(FAULT_CATALOG.filter((d) => d.class === cls).length).toBeGreaterThanOrEqual(2);
  });

  it.each(FAULT_CATALOG.map((d) => [d.id, d] as const))(
    'should name a real tool of its module, and the app module should not name the defect: %s',
    (id, defect) => {
      expect(defect.tool.startsWith(`${defect.module}.`)).toBe(true);
      expect(id.startsWith(`${defect.tool}.`)).toBe(true);
      const source = moduleSource(defect.module);
      expect(source).toContain(`name: '${defect.tool}'`);
      expect(source).not.toContain(`'${id}'`);
    },
  );

  it('should give each class its effect: error fails, slow waits, lost_write loses, the others rewrite', () => {
    const expected = {
      error: ['error'],
      slow: ['delay'],
      lost_write: ['lost_write'],
      wrong_result: ['input', 'answer'],
      contract: ['input', 'answer'],
    };
    for (const d of FAULT_CATALOG)
      expect({ id: d.id, kind: expected[d.class] }).toEqual({
        id: d.id,
        kind: expect.arrayContaining([d.effect.kind]),
      });
  });

  it('should give a delay parameter to slow defects only, with the documented default', () => {
    for (const d of FAULT_CATALOG) {
      const delay = (d.parameters as { delayMs?: { default: number } }).delayMs;
      expect(delay !== undefined).toBe(d.class === 'slow');
      if (delay) expect(delay.default).toBe(3000);
      expect(d.parameters.probability.default).toBeGreaterThan(0);
      expect(d.parameters.probability.default).toBeLessThanOrEqual(1);
    }
  });
});

/** The effect of a catalog defect, for the rewrite specs below. */
function effectOf(id: string) {
  return findDefect(id)!.effect;
}

function rewriteInput(id: string, input: FaultInput): FaultInput {
  const effect = effectOf(id);
  if (effect.kind !== 'input') throw new Error(`${id} does not rewrite the input`);
  return effect.rewrite(input);
}

/** What an answer effect makes of the tool: `tool` gets the widened input and answers. */
async function rewriteAnswer(
  id: string,
  input: FaultInput,
  tool: (input: FaultInput) => unknown,
): Promise<unknown> {
  const effect = effectOf(id);
  if (effect.kind !== 'answer') throw new Error(`${id} does not rewrite the answer`);
  return effect.rewrite(await tool(effect.widen ? effect.widen(input) : input), input);
}

describe('the defects as their descriptions say', () => {
  it('todo.update.drops-field should leave out the last field given, in the order of the update', () => {
    const id = '00000000-0000-4000-8000-000000000001';
    const drop = (input: FaultInput) => rewriteInput('todo.update.drops-field', input);
    expect(drop({ id, title: 'Final', priority: 'high' })).toEqual({ id, title: 'Final' });
    expect(drop({ id, status: 'done', title: 'Final' })).toEqual({ id, title: 'Final' });
    expect(drop({ id, description: null })).toEqual({ id });
    expect(drop({ id, dueDate: '2030-01-01', subtasks: null })).toEqual({ id, dueDate: '2030-01-01' });
  });

  it('todo.list.drops-newest should list one more and leave out the most recently created of them', async () => {
    const task = (n: number) => ({ id: `t${n}`, createdAt: `2030-01-0${n}T00:00:00.000Z` });
    const rows = [task(2), task(5), task(3), task(1)];
    const asked: unknown[] = [];
    const answer = await rewriteAnswer('todo.list.drops-newest', { status: 'open', limit: 3 }, (input) => {
      asked.push(input);
      const items = rows.slice(0, input.limit as number);
      return { items, count: items.length };
    });
    expect(asked).toEqual([{ status: 'open', limit: 4 }]);
    expect(answer).toEqual({ items: [task(2), task(3), task(1)], count: 3 });
  });

  it('todo.complete.stays-open should answer the task open with no completedAt', async () => {
    const task = { id: 't1', status: 'done', completedAt: '2030-01-01T00:00:00.000Z', title: 'x' };
    expect(await rewriteAnswer('todo.complete.stays-open', { id: 't1' }, () => ({ task }))).toEqual({
      task: { ...task, status: 'open', completedAt: null },
    });
  });

  it('the ignores-limit defects should list up to the input schema bound', () => {
    expect(rewriteInput('todo.list.ignores-limit', { status: 'open', limit: 2 })).toEqual({
      status: 'open',
      limit: 100,
    });
    expect(rewriteInput('journal.list.ignores-limit', { limit: 1 })).toEqual({ limit: 50 });
  });

  it('notes.search.case-sensitive should keep the exact-case matches, then apply the limit', async () => {
    const notes = [
      { title: 'zebra at the zoo', content: '' },
      { title: 'Zebra crossing', content: 'x' },
      { title: 'notes', content: 'a zebra' },
      { title: 'more', content: 'zebras' },
    ];
    const answer = await rewriteAnswer(
      'notes.search.case-sensitive',
      { query: ' zebra ', limit: 2 },
      (input) => {
        const items = notes.slice(0, input.limit as number);
        return { items, count: items.length, scanned: notes.length };
      },
    );
    expect(answer).toEqual({ items: [notes[0], notes[2]], count: 2, scanned: 4 });
  });

  it('notes.search.ignores-last-word should drop the last word of two or more, and keep one word', () => {
    const drop = (query: string) => rewriteInput('notes.search.ignores-last-word', { query, limit: 10 });
    expect(drop('buy oat  milk ')).toEqual({ query: 'buy oat', limit: 10 });
    expect(drop('milk')).toEqual({ query: 'milk', limit: 10 });
  });

  it('mood.log.scale-inverted, habits.log.counts-twice and todo.create.ignores-due-date', () => {
    expect(rewriteInput('mood.log.scale-inverted', { level: 2, emotion: 'sad' })).toEqual({
      level: 9,
      emotion: 'sad',
    });
    expect(rewriteInput('habits.log.counts-twice', { count: 3 })).toEqual({ count: 6 });
    expect(rewriteInput('habits.log.counts-twice', { count: 70 })).toEqual({ count: 100 });
    expect(rewriteInput('todo.create.ignores-due-date', { title: 'Taxes', dueDate: '2030-04-15' })).toEqual({
      title: 'Taxes',
    });
  });

  it('the calendar defects should shift an event by an hour and list 366 days after from', () => {
    expect(
      rewriteInput('calendar.create_event.hour-off', {
        startsAt: '2030-05-01T10:00:00+02:00',
        endsAt: '2030-05-01T11:00:00Z',
        allDay: false,
      }),
    ).toEqual({ startsAt: '2030-05-01T09:00:00.000Z', endsAt: '2030-05-01T12:00:00.000Z', allDay: false });
    expect(rewriteInput('calendar.list_events.ignores-to', { from: '2030-06-01', to: '2030-06-05' })).toEqual(
      {
        from: '2030-06-01',
        to: '2031-06-02T00:00:00.000Z',
      },
    );
  });
});

describe(parseFaultSpecs.name, () => {
  it('should accept a list of ids and of objects', () => {
    const { specs, problems } = parseFaultSpecs(
      '["todo.list.drops-newest", {"defect": "todo.list.slow", "delayMs": 250, "probability": 0.5}]',
    );
    expect(problems).toEqual([]);
    expect(specs).toEqual([
      { defect: 'todo.list.drops-newest' },
      { defect: 'todo.list.slow', delayMs: 250, probability: 0.5 },
    ]);
  });

  it('should name the bad parameter and the unknown field, and leave the ids to the lab', () => {
    const { specs, problems } = parseFaultSpecs(
      '["todo.nope", {"defect": "mood.recent.slow", "probability": 2}, {"defect": "todo.list.slow", "when": 1}, {"defect": "todo.list.slow", "delayMs": 1.5}]',
    );
    expect(specs).toEqual([{ defect: 'todo.nope' }]);
    expect(problems).toEqual([
      expect.stringContaining('entry 1 (mood.recent.slow): probability must be a number from 0 to 1'),
      expect.stringContaining('entry 2 has unknown fields: when'),
      expect.stringContaining('entry 3 (todo.list.slow): delayMs must be a whole number'),
    ]);
  });

  it('should refuse what is not a JSON list', () => {
    expect(parseFaultSpecs('todo.list.slow').problems).toEqual([expect.stringContaining('JSON list')]);
    expect(parseFaultSpecs('{"defect":"todo.list.slow"}').problems).toEqual([
      expect.stringContaining('JSON list'),
    ]);
  });
});

describe(bootFaultProblems.name, () => {
  it('should name FAULTS, the entry and the unknown defect, and delayMs on a defect that is not slow', () => {
    expect(
      bootFaultProblems([
        { defect: 'todo.nope' },
        { defect: 'todo.list.drops-newest', delayMs: 10 },
        { defect: 'todo.list.slow', delayMs: 10 },
      ]),
    ).toEqual([
      'FAULTS entry 0: unknown defect "todo.nope" (GET /api/v1/faults/catalog lists them)',
      'FAULTS entry 1 (todo.list.drops-newest): delayMs does not apply to todo.list.drops-newest (only slow defects take a delay)',
    ]);
  });
});

describe(faultSpecProblems.name, () => {
  it('should bound delayMs and note', () => {
    const slow = findDefect('todo.list.slow')!;
    expect(faultSpecProblems(slow, { delayMs: 60_001 })).toEqual([expect.stringContaining('delayMs')]);
    expect(faultSpecProblems(slow, { delayMs: 1.5 })).toEqual([expect.stringContaining('delayMs')]);
    expect(faultSpecProblems(slow, { note: 'x'.repeat(501) })).toEqual([expect.stringContaining('note')]);
    expect(faultSpecProblems(slow, { delayMs: 0, probability: 0, note: 'ok' })).toEqual([]);
  });
});

describe('FAULTS in the configuration', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'mana-faults-config-'));
  const configError = (env: Record<string, string>): ConfigError => {
    try {
      loadConfig({ DATA_DIR: dataDir, ...env });
    } catch (error) {
      if (error instanceof ConfigError) return error;
      throw error;
    }
    throw new Error('loadConfig accepted the environment');
  };

  it('should plant nothing, poll every 2 s and be on outside production by default', () => {
    const config = loadConfig({ DATA_DIR: dataDir });
    expect(config.faultsAtBoot).toEqual([]);
    expect(config.faultsPollMs).toBe(2000);
    expect(config.faultsEnabled).toBe(true);
  });

  it('should parse FAULTS into the specs to plant at boot', () => {
    const config = loadConfig({ DATA_DIR: dataDir, FAULTS: '["notes.create.not-persisted"]' });
    expect(config.faultsAtBoot).toEqual([{ defect: 'notes.create.not-persisted' }]);
  });

  it('should fail the boot on an unknown defect, naming FAULTS and the id', () => {
    // the config reads FAULTS as syntax; the lab's check (main.ts, FaultsService at bootstrap) names the id
    const config = loadConfig({ DATA_DIR: dataDir, FAULTS: '["todo.list.drops-oldest"]' });
    const error = new ConfigError(bootFaultProblems(config.faultsAtBoot));
    expect(error.problems).toEqual([
      expect.stringMatching(/^FAULTS .*unknown defect "todo.list.drops-oldest"/),
    ]);
    expect(error.message).toContain('FAULTS entry 0: unknown defect "todo.list.drops-oldest"');
  });

  it('should fail the bootstrap of an app built without main.ts on an unknown defect', async () => {
    const config = loadConfig({ DATA_DIR: dataDir, FAULTS: '["todo.list.drops-oldest"]' });
    // the check comes first: the repository is never reached
    const service = new FaultsService(config, undefined as never);
    await expect(service.onApplicationBootstrap()).rejects.toThrow(ConfigError);
    await expect(service.onApplicationBootstrap()).rejects.toThrow(
      /FAULTS entry 0: unknown defect "todo.list.drops-oldest"/,
    );
  });

  it('should refuse FAULTS when the lab is off, and a bad FAULTS_POLL_MS', () => {
    const error = configError({
      FAULTS: '["todo.list.slow"]',
      FAULTS_ENABLED: 'false',
      FAULTS_POLL_MS: '10',
    });
    const named = error.problems.map((p) => p.split(' ')[0]).sort();
    expect(named).toEqual(['FAULTS', 'FAULTS_POLL_MS']);
  });
});
