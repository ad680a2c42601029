import type { FindingClass, FindingReport, ToolCallOptions, ToolOutcome } from '../brains/brain.js';
import { FakeTaskApp, TASK_TOOLS } from './fake-task-app.spec.js';
import type { Fault } from './fake-task-app.spec.js';
import { LatencyHistory, OracleEngine } from './oracle-engine.js';

type Brain = (
  name: string,
  input: Record<string, unknown>,
  options?: ToolCallOptions,
) => Promise<ToolOutcome>;

interface Harness {
  app: FakeTaskApp;
  engine: OracleEngine;
  brain: Brain;
  findings: FindingReport[];
}

function harness(faults: Fault[], latency = new LatencyHistory(), maxProbes = 40): Harness {
  const app = new FakeTaskApp(new Set(faults));
  const findings: FindingReport[] = [];
  const engine = new OracleEngine({
    tools: TASK_TOOLS,
    call: (name, input) => app.call(name, input),
    report: async (finding) => {
      findings.push(finding);
    },
    seed: 'oracle-spec',
    now: new Date('2026-12-04T12:00:00Z'),
    timezone: 'Europe/Berlin',
    latency,
    maxProbes,
    signal: new AbortController().signal,
  });
  const brain: Brain = async (name, input, options = {}) => {
    const outcome = await app.call(name, input);
    await engine.observe(name, input, options, outcome);
    return outcome;
  };
  return { app, engine, brain, findings };
}

async function create(brain: Brain, input: Record<string, unknown>): Promise<string> {
  const outcome = await brain('task.create', input);
  return (outcome.data as { task: { id: string } }).task.id;
}

interface Case {
  check: string;
  class: FindingClass;
  fault: Fault;
  /** Other checks the same defect shows through (several readers). */
  alsoChecks?: string[];
  play(h: Harness): Promise<void>;
  latency?: () => LatencyHistory;
  /** The engine's probe budget (40); 0 leaves every check to what the brain's own calls show. */
  maxProbes?: number;
}

const CASES: Case[] = [
  {
    check: 'contract.output-schema',
    class: 'contract',
    fault: 'bad-output',
    play: async ({ brain }) => void (await create(brain, { title: 'Water the plants' })),
  },
  {
    check: 'contract.input-schema',
    class: 'contract',
    fault: 'accept-invalid',
    play: async ({ brain }) => void (await brain('task.create', { title: 'Water the plants', estimate: 11 })),
  },
  {
    check: 'refusal.names-field',
    class: 'confusing',
    fault: 'unnamed-error',
    play: async ({ brain }) => {
      await create(brain, { title: 'Water the plants' });
      await brain('task.create', { title: 'Water', estimate: 0 });
    },
  },
  {
    check: 'contract.error-as-protocol',
    class: 'contract',
    fault: 'protocol-error',
    // one slow call may be the machine's pause: the second slow call of the tool in the tick reports
    play: async ({ brain }) => {
      await brain('task.get', { id: 't1' });
      await brain('task.get', { id: 't1' });
    },
  },
  {
    check: 'echo.notes',
    class: 'wrong_result',
    fault: 'ignore-update-notes',
    play: async ({ brain }) => {
      const id = await create(brain, { title: 'Plan the trip', notes: 'book the train' });
      await brain('task.update', { id, notes: 'book the plane' });
    },
  },
  {
    check: 'state.status',
    class: 'wrong_result',
    fault: 'not-done',
    play: async ({ brain }) => {
      const id = await create(brain, { title: 'Plan the trip' });
      await brain('task.complete', { id });
    },
  },
  {
    check: 'read-your-writes.lost',
    class: 'lost_write',
    fault: 'lose-create',
    play: async ({ brain }) => void (await create(brain, { title: 'Plan the trip' })),
  },
  {
    check: 'read-your-writes.task.list',
    class: 'wrong_result',
    fault: 'list-misses-row',
    play: async ({ brain }) => void (await create(brain, { title: 'Plan the trip' })),
  },
  {
    check: 'read-back.notes',
    class: 'lost_write',
    fault: 'stale-update',
    play: async ({ brain }) => {
      const id = await create(brain, { title: 'Plan the trip', notes: 'book the train' });
      await brain('task.update', { id, notes: 'book the plane' });
    },
  },
  {
    // no probe reads the first update back: the second update's answer, a read of the row, shows
    // the priority as it was before the first (not a frame violation of the second)
    check: 'read-back.priority',
    class: 'lost_write',
    fault: 'stale-update',
    maxProbes: 0,
    play: async ({ brain }) => {
      const id = await create(brain, { title: 'Plan the trip' });
      await brain('task.update', { id, priority: 'high' });
      await brain('task.update', { id, title: 'Plan the long trip' });
    },
  },
  {
    check: 'read-back.notes',
    class: 'wrong_result',
    fault: 'garble-read',
    play: async ({ brain }) => void (await create(brain, { title: 'Plan the trip', notes: 'pack bags' })),
  },
  {
    check: 'use-after-delete.task.list',
    class: 'wrong_result',
    fault: 'keep-deleted',
    alsoChecks: ['use-after-delete.task.search', 'use-after-delete.task.get', 'use-after-delete.by-id'],
    play: async ({ brain, engine }) => {
      const id = await create(brain, { title: 'Plan the trip' });
      await brain('task.delete', { id });
      await engine.settle();
    },
  },
  {
    check: 'list.limit',
    class: 'contract',
    fault: 'ignore-limit',
    play: async ({ brain }) => {
      for (const title of ['Plan the trip', 'Call grandma', 'Fix the bike']) await create(brain, { title });
      await brain('task.list', { limit: 2 });
    },
  },
  {
    check: 'list.order',
    class: 'wrong_result',
    fault: 'wrong-order',
    play: async ({ brain }) => {
      for (const title of ['Plan the trip', 'Call grandma']) await create(brain, { title });
      await brain('task.list', {});
    },
  },
  {
    check: 'list.filter.status',
    class: 'contract',
    fault: 'filter-ignored',
    play: async ({ brain }) => {
      const id = await create(brain, { title: 'Plan the trip' });
      await brain('task.complete', { id });
      await brain('task.list', { status: 'open' });
    },
  },
  {
    check: 'list.no-duplicates',
    class: 'wrong_result',
    fault: 'duplicate',
    play: async ({ brain }) => {
      await create(brain, { title: 'Plan the trip' });
      await brain('task.list', {});
    },
  },
  {
    check: 'search.matches',
    class: 'wrong_result',
    fault: 'search-extra',
    play: async ({ brain }) => {
      await create(brain, { title: 'Buy oat milk' });
      await create(brain, { title: 'Call grandma' });
      await brain('task.search', { query: 'milk' });
    },
  },
  {
    check: 'search.finds-own',
    class: 'wrong_result',
    fault: 'search-misses',
    play: async ({ brain }) => {
      await create(brain, { title: 'Buy oat milk' });
      await brain('task.search', { query: 'milk' });
    },
  },
  {
    check: 'derived.count',
    class: 'wrong_result',
    fault: 'wrong-count',
    play: async ({ brain }) => {
      await create(brain, { title: 'Plan the trip' });
      await brain('task.list', {});
    },
  },
  {
    check: 'derived.meanEstimate',
    class: 'wrong_result',
    fault: 'wrong-mean',
    play: async ({ brain }) => {
      await create(brain, { title: 'Plan the trip', estimate: 3 });
      await create(brain, { title: 'Call grandma', estimate: 4 });
      await brain('task.list', {});
    },
  },
  {
    check: 'derived.words',
    class: 'wrong_result',
    fault: 'wrong-words',
    play: async ({ brain }) => void (await create(brain, { title: "Buy oat-milk, don't forget" })),
  },
  {
    check: 'repeatable-read',
    class: 'wrong_result',
    fault: 'flaky-read',
    play: async ({ brain }) => {
      await create(brain, { title: 'Plan the trip' });
      await brain('task.list', {});
      await brain('task.list', {});
    },
  },
  {
    check: 'slow.relative',
    class: 'slow',
    fault: 'slow',
    latency: () => {
      const history = new LatencyHistory();
      for (let i = 0; i < 10; i += 1) history.record('task.get', 20);
      return history;
    },
    // one slow call may be the machine's pause: the second slow call of the tool in the tick reports
    play: async ({ brain }) => {
      await brain('task.get', { id: 't1' });
      await brain('task.get', { id: 't1' });
    },
  },
  {
    check: 'refusal.accepted-invalid',
    class: 'contract',
    fault: 'accept-invalid',
    alsoChecks: ['input.null-optional'],
    play: async ({ brain, engine }) => {
      await create(brain, { title: 'Plan the trip' });
      await engine.settle();
    },
  },
  {
    check: 'boundary.refused',
    class: 'contract',
    fault: 'refuse-boundary',
    play: async ({ brain, engine }) => {
      await create(brain, { title: 'Plan the trip' });
      await engine.settle();
    },
  },
  {
    check: 'frame.notes',
    class: 'wrong_result',
    fault: 'update-clears-notes',
    play: async ({ brain }) => {
      const id = await create(brain, { title: 'Plan the trip', notes: 'book the train' });
      await brain('task.update', { id, priority: 'high' });
    },
  },
  {
    check: 'idempotent.status',
    class: 'wrong_result',
    fault: 'complete-toggles',
    alsoChecks: ['state.status'],
    play: async ({ brain, engine }) => {
      const id = await create(brain, { title: 'Plan the trip' });
      await brain('task.complete', { id });
      await engine.settle();
    },
  },
  {
    // no brain completes anything: the lifecycle probe does, and the state check judges it
    check: 'state.status',
    class: 'wrong_result',
    fault: 'not-done',
    play: async ({ brain, engine }) => {
      await create(brain, { title: 'Plan the trip' });
      await engine.settle();
    },
  },
  {
    // the lifecycle probes complete the only task, then update it: the completion is read back
    // before the update's answer (status open, as stored) could pass for the truth
    check: 'read-back.status',
    class: 'lost_write',
    fault: 'complete-not-saved',
    play: async ({ brain, engine }) => {
      await create(brain, { title: 'Plan the trip' });
      await engine.settle();
    },
  },
  {
    // the title is declared trimmed: the padded probe sends it with spaces around it
    check: 'echo.title',
    class: 'wrong_result',
    fault: 'untrimmed',
    play: async ({ brain, engine }) => {
      await create(brain, { title: 'Plan the trip' });
      await engine.settle();
    },
  },
];

describe(OracleEngine.name, () => {
  describe.each(CASES)('$check', (c) => {
    it(`should report ${c.check} (${c.class}) once when the app breaks it (${c.fault})`, async () => {
      const h = harness([c.fault], c.latency?.(), c.maxProbes);
      await c.play(h);
      const allowed = [c.check, ...(c.alsoChecks ?? [])];
      expect(h.findings.map((f) => f.check)).toContain(c.check);
      expect(h.findings.every((f) => allowed.includes(f.check) && f.class === c.class)).toBe(true);
      if (!c.alsoChecks) expect(h.findings).toHaveLength(1);
      expect(h.findings.every((f) => f.source === 'oracle' && f.module === 'task' && f.seq !== null)).toBe(
        true,
      );
    });

    it(`should report nothing when the app keeps it`, async () => {
      const h = harness([], undefined, c.maxProbes);
      await c.play(h);
      expect(h.findings).toEqual([]);
    });
  });

  it('should find nothing in a whole correct day (create, list, search, update, complete, delete, settle)', async () => {
    const h = harness([]);
    const milk = await create(h.brain, {
      title: 'Buy oat milk',
      notes: 'the barista one',
      tags: ['Shop', 'food'],
      estimate: 2,
    });
    const trip = await create(h.brain, { title: '  Plan the trip  ', priority: 'high', estimate: 5 });
    await h.brain('task.list', {});
    await h.brain('task.list', { order: 'title', status: 'all', limit: 1 });
    await h.brain('task.search', { query: 'MILK' });
    await h.brain('task.update', { id: milk, notes: null, priority: 'low' });
    await h.brain('task.complete', { id: trip });
    await h.brain('task.list', {});
    await h.brain('task.list', {});
    await h.brain('task.get', { id: trip });
    await h.brain('task.create', { title: '' }, { expectError: true });
    await h.brain('task.delete', { id: milk });
    await h.brain('task.search', { query: 'milk' });
    await h.engine.settle();
    expect(h.findings).toEqual([]);
    expect(h.app.calls.length).toBeGreaterThan(14);
  });

  it('should say nothing when another member of a shared space changes an own row', async () => {
    const h = harness([]);
    const shared = { spaceId: 'family' };
    const outcome = await h.brain('task.create', { title: 'Plan the trip' }, shared);
    const id = (outcome.data as { task: { id: string } }).task.id;
    h.app.rename(id, 'Plan the holiday');
    await h.brain('task.list', {}, shared);
    await h.brain('task.list', {}, shared);
    await h.engine.settle();
    expect(h.findings).toEqual([]);
    // in the personal space nobody else writes: the same read is a wrong answer
    const own = harness([]);
    const id2 = await create(own.brain, { title: 'Plan the trip' });
    own.app.rename(id2, 'Plan the holiday');
    await own.brain('task.list', {});
    expect(own.findings.map((f) => `${f.check}:${f.class}`)).toEqual(['read-back.title:wrong_result']);
  });

  it('should stop when the tick is aborted', async () => {
    const app = new FakeTaskApp(new Set(['lose-create']));
    const abort = new AbortController();
    const findings: FindingReport[] = [];
    const engine = new OracleEngine({
      tools: TASK_TOOLS,
      call: (name, input) => app.call(name, input),
      report: async (f) => void findings.push(f),
      seed: 's',
      now: new Date('2026-12-04T12:00:00Z'),
      timezone: 'UTC',
      latency: new LatencyHistory(),
      signal: abort.signal,
    });
    const outcome = await app.call('task.create', { title: 'Plan the trip' });
    abort.abort();
    await engine.observe('task.create', { title: 'Plan the trip' }, {}, outcome);
    await engine.settle();
    expect(findings).toEqual([]);
    expect(app.calls).toHaveLength(1);
  });

  it('should skip a call that timed out and one the persona expected to fail', async () => {
    const h = harness(['unnamed-error']);
    await h.brain('task.create', { title: '' }, { expectError: true });
    const timedOut: ToolOutcome = {
      ok: false,
      errorKind: 'timeout',
      text: 'timeout',
      data: undefined,
      latencyMs: 30_000,
      seq: 99,
    };
    await h.engine.observe('task.create', { title: 'x' }, {}, timedOut);
    expect(h.findings).toEqual([]);
  });

  it('should stay within the probe budget', async () => {
    const h = harness(['lose-create']);
    const engine = new OracleEngine({
      tools: TASK_TOOLS,
      call: (name, input) => h.app.call(name, input),
      report: async () => undefined,
      seed: 's',
      now: new Date('2026-12-04T12:00:00Z'),
      timezone: 'UTC',
      latency: new LatencyHistory(),
      maxProbes: 3,
      signal: new AbortController().signal,
    });
    const before = h.app.calls.length;
    const outcome = await h.app.call('task.create', { title: 'Plan the trip' });
    await engine.observe('task.create', { title: 'Plan the trip' }, {}, outcome);
    await engine.settle();
    expect(h.app.calls.length - before - 1).toBeLessThanOrEqual(3);
  });
});
