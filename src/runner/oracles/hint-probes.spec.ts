import type { BrainTool, ToolOutcome } from '../brains/brain.js';
import { playHintProbes } from './hint-probes.js';
import type { ProbeDeps } from './probe-deps.js';
import { mayProbe } from './probe-deps.js';
import { SchemaValidators } from './json-schema.js';
import { Ledger } from './ledger.js';
import type { Row } from './values.js';
import type { Verdict } from './verdict.js';

type Fault = 'search-writes' | 'add-twice' | 'ticking-graph' | 'flaky-graph';

const tool = (name: string, annotations: BrainTool['annotations'], required: string[] = []): BrainTool => ({
  name,
  module: 'memory',
  description: name,
  inputSchema: {
    type: 'object',
    properties: { query: { type: 'string' }, name: { type: 'string' } },
    required,
  },
  annotations,
});

const TOOLS = [
  tool('read_graph', { readOnlyHint: true, idempotentHint: true }),
  tool('search_nodes', { readOnlyHint: true, idempotentHint: true }, ['query']),
  tool('tag_entity', { readOnlyHint: false, destructiveHint: false, idempotentHint: true }, ['name']),
  tool('delete_all', { readOnlyHint: false, destructiveHint: true, idempotentHint: true }),
];

/** A knowledge graph server in miniature, with the faults a third party might ship. */
class FakeGraph {
  tags: string[] = [];
  reads = 0;
  calls: string[] = [];
  constructor(private readonly faults: Set<Fault>) {}

  call(name: string, input: Row): ToolOutcome {
    this.calls.push(name);
    const seq = this.calls.length;
    const ok = (data: unknown): ToolOutcome => ({
      ok: true,
      errorKind: null,
      text: JSON.stringify(data),
      data,
      latencyMs: 5,
      seq,
    });
    switch (name) {
      case 'read_graph':
        this.reads += 1;
        if (this.faults.has('ticking-graph')) return ok({ tags: this.tags, reads: this.reads });
        if (this.faults.has('flaky-graph') && this.reads === 4) return ok({ tags: [...this.tags, 'ghost'] });
        return ok({ tags: this.tags });
      case 'search_nodes':
        if (this.faults.has('search-writes')) this.tags.push(`searched ${String(input.query)}`);
        return ok({ hits: this.tags.filter((t) => t.includes(String(input.query))) });
      case 'tag_entity':
        if (this.faults.has('add-twice') || !this.tags.includes(String(input.name)))
          this.tags.push(String(input.name));
        return ok({ tagged: input.name });
      case 'delete_all':
        this.tags = [];
        return ok({ deleted: true });
      default:
        throw new Error(`unknown tool ${name}`);
    }
  }
}

async function play(
  faults: Fault[],
): Promise<{ verdicts: Array<Verdict & { tool: string }>; app: FakeGraph }> {
  const app = new FakeGraph(new Set(faults));
  const verdicts: Array<Verdict & { tool: string }> = [];
  const known: Record<string, Row> = { search_nodes: { query: 'plan' }, tag_entity: { name: 'plan p-1' } };
  // the brain's own day, before the engine repeats what it sent
  app.call('tag_entity', known.tag_entity);
  const deps: ProbeDeps = {
    tools: new Map(TOOLS.map((t) => [t.name, t])),
    ledger: new Ledger(),
    knownGood: (name) => known[name],
    brainCalled: (name) => name in known,
    brainSent: () => false,
    seed: 'hints',
    validators: new SchemaValidators(),
    mayProbe,
    probe: async (name, input) => app.call(name, input),
    report: async (found, name) => void verdicts.push(...found.map((v) => ({ ...v, tool: name }))),
    verify: async () => true,
  };
  await playHintProbes(deps, () => 5);
  return { verdicts, app };
}

describe('playHintProbes (MCP annotations, no semantics declared)', () => {
  it('should find nothing on a server that keeps its annotations, and never call a destructive tool', async () => {
    const { verdicts, app } = await play([]);
    expect(verdicts).toEqual([]);
    expect(app.calls).not.toContain('delete_all');
    expect(app.calls).toContain('search_nodes');
    expect(app.calls.filter((c) => c === 'tag_entity').length).toBeGreaterThanOrEqual(3);
  });

  it('should report a read-only tool that changes what the persona can read', async () => {
    const { verdicts } = await play(['search-writes']);
    expect(verdicts.map((v) => `${v.tool} ${v.check} ${v.class}`)).toEqual([
      'search_nodes read-only.changed wrong_result',
    ]);
  });

  it('should report an idempotent tool whose second call changes the state again', async () => {
    const { verdicts } = await play(['add-twice']);
    expect(verdicts.map((v) => `${v.tool} ${v.check} ${v.class}`)).toEqual([
      'tag_entity idempotent.effect wrong_result',
    ]);
  });

  it.each<Fault>(['ticking-graph', 'flaky-graph'])(
    'should say nothing when the state does not hold still on its own (%s)',
    async (fault) => {
      expect((await play([fault])).verdicts).toEqual([]);
    },
  );
});
