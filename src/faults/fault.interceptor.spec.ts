import { ToolError } from '../tool-contract/tool.error.js';
import type { ToolCall } from '../tool-contract/tool-call.interceptor.js';
import { findDefect } from './fault-catalog.js';
import { FaultInterceptor } from './fault.interceptor.js';
import type { ActiveFault, FaultsService } from './faults.service.js';

/** A FaultsService whose plants always apply (probability is FaultsService's own business). */
function lab(defects: string[], delayMs = 0): FaultInterceptor {
  const planted: ActiveFault[] = defects.map((id) => ({
    id: `fault-${id}`,
    defect: findDefect(id)!,
    probability: 1,
    delayMs: findDefect(id)!.parameters.delayMs ? delayMs : null,
    plantedAt: new Date(0),
  }));
  const faults = {
    appliesTo: (tool: string) => planted.filter((f) => f.defect.tool === tool),
    delayFor: (f: ActiveFault) => f.delayMs ?? 0,
  } as unknown as FaultsService;
  return new FaultInterceptor(faults);
}

const call = (tool: string, input: Record<string, unknown>): ToolCall => ({
  tool,
  module: tool.split('.')[0],
  input,
  caller: {
    user: { id: '00000000-0000-4000-8000-000000000001', kind: 'human', tier: 'public' },
    spaceId: '00000000-0000-4000-8000-000000000002',
    invoker: 'runner',
  },
});

const write = { operation: 'insert', table: 'notes', spaceId: 's' } as const;

describe(FaultInterceptor.name, () => {
  it('should run the tool unchanged when nothing on it is planted', async () => {
    const interceptor = lab(['todo.create.error']);
    const seen: unknown[] = [];
    const answer = await interceptor.around(call('todo.list', { limit: 5 }), async (input) => {
      seen.push(input);
      return { items: [], count: 0 };
    });
    expect(seen).toEqual([{ limit: 5 }]);
    expect(answer).toEqual({ items: [], count: 0 });
  });

  it("should fail an error defect's call with UNAVAILABLE without running the tool", async () => {
    let ran = false;
    const outcome = lab(['contacts.search.error']).around(
      call('contacts.search', { query: 'x' }),
      async () => {
        ran = true;
      },
    );
    await expect(outcome).rejects.toThrow(ToolError);
    await expect(outcome).rejects.toMatchObject({
      code: 'UNAVAILABLE',
      message: 'contacts.search is temporarily unavailable; try again in a moment',
    });
    expect(ran).toBe(false);
  });

  it('should wait out a slow defect before the tool runs', async () => {
    const started = Date.now();
    await lab(['mood.recent.slow'], 60).around(call('mood.recent', {}), async () => ({}));
    expect(Date.now() - started).toBeGreaterThanOrEqual(50);
  });

  it('should apply input rewrites before the answer defects widen (ignores-limit, then drops-newest)', async () => {
    const interceptor = lab(['todo.list.drops-newest', 'todo.list.ignores-limit']);
    const seen: unknown[] = [];
    await interceptor.around(call('todo.list', { status: 'open', limit: 2 }), async (input) => {
      seen.push(input);
      return { items: [], count: 0 };
    });
    expect(seen).toEqual([{ status: 'open', limit: 101 }]);
  });

  it('should discard the writes of a lost-write call only, and store those of a call running beside it', async () => {
    const interceptor = lab(['notes.create.not-persisted']);
    expect(interceptor.intercept(write)).toBe('store');
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    const lost = interceptor.around(call('notes.create', { title: 't' }), async () => {
      await gate;
      return interceptor.intercept(write);
    });
    const beside = interceptor.around(call('notes.search', { query: 't' }), async () => {
      const decision = interceptor.intercept(write);
      release();
      return decision;
    });
    expect(await Promise.all([lost, beside])).toEqual(['discard', 'store']);
    expect(interceptor.intercept(write)).toBe('store');
  });
});
