import type { BrainTool, FindingReport, ToolOutcome } from '../brains/brain.js';
import { withReaders } from '../targets/semantics-file.js';
import type { ToolSemantics } from '../../tool-contract/tool-semantics.js';
import { batchItems, batchView } from './batch.js';
import { SchemaValidators } from './json-schema.js';
import { LatencyHistory } from './latency-history.js';
import { OracleEngine } from './oracle-engine.js';

/**
 * A knowledge graph of named entities whose tools take and answer arrays of rows, declared with
 * `batch` as a semantics file would declare them; switches make it break one promise each.
 */
type Fault = 'delete-keeps' | 'case-sensitive' | 'create-drops-type';
interface Entity {
  name: string;
  entityType: string;
  observations: string[];
}

const entity = {
  type: 'object',
  properties: {
    name: { type: 'string' },
    entityType: { type: 'string' },
    observations: { type: 'array', items: { type: 'string' } },
  },
  required: ['name', 'entityType', 'observations'],
};
const graph = {
  type: 'object',
  properties: { entities: { type: 'array', items: entity } },
  required: ['entities'],
};
const object = (properties: Record<string, unknown>, required: string[]) => ({
  type: 'object',
  properties,
  required,
  additionalProperties: false,
});

const SEMANTICS: Record<string, ToolSemantics> = withReaders({
  create_entities: {
    effect: 'create',
    entity: 'entity',
    idField: 'name',
    batch: { input: 'entities' },
    result: 'entities',
    echo: [
      { input: 'name', compare: 'exact' },
      { input: 'entityType', compare: 'exact' },
      { input: 'observations', compare: 'json' },
    ],
    idempotent: false,
  },
  delete_entities: {
    effect: 'delete',
    entity: 'entity',
    idField: 'name',
    batch: { input: 'entityNames' },
    idempotent: true,
  },
  read_graph: {
    effect: 'list',
    entity: 'entity',
    idField: 'name',
    list: { items: 'entities', complete: true },
    idempotent: true,
  },
  search_nodes: {
    effect: 'search',
    entity: 'entity',
    idField: 'name',
    list: { items: 'entities', complete: true },
    search: { query: 'query', fields: ['name', 'entityType', 'observations'], match: 'substring-casefold' },
    idempotent: true,
  },
});

const TOOLS: BrainTool[] = [
  {
    name: 'create_entities',
    inputSchema: object({ entities: { type: 'array', items: entity } }, ['entities']),
    outputSchema: graph,
  },
  {
    name: 'delete_entities',
    inputSchema: object({ entityNames: { type: 'array', items: { type: 'string' } } }, ['entityNames']),
    annotations: { destructiveHint: true },
  },
  {
    name: 'read_graph',
    inputSchema: object({}, []),
    outputSchema: graph,
    annotations: { readOnlyHint: true },
  },
  {
    name: 'search_nodes',
    inputSchema: object({ query: { type: 'string' } }, ['query']),
    outputSchema: graph,
    annotations: { readOnlyHint: true },
  },
].map((t) => ({ module: 'memory', description: t.name, ...t, semantics: SEMANTICS[t.name] }) as BrainTool);

const VALIDATORS = new SchemaValidators();

class FakeGraph {
  readonly entities = new Map<string, Entity>();
  private seq = 0;

  constructor(private readonly faults: ReadonlySet<Fault>) {}

  async call(name: string, input: Record<string, unknown>): Promise<ToolOutcome> {
    this.seq += 1;
    // input outside the schema is refused, naming the field (as the MCP SDK's server does)
    const conformance = VALIDATORS.check(TOOLS.find((t) => t.name === name)?.inputSchema, input);
    if (conformance && !conformance.ok) {
      const text = `Invalid arguments for tool ${name}: ${conformance.fields.join(', ')}: ${conformance.message}`;
      return { ok: false, errorKind: 'tool', text, data: undefined, latencyMs: 1, seq: this.seq };
    }
    const data = this.answer(name, input);
    return { ok: true, errorKind: null, text: JSON.stringify(data), data, latencyMs: 1, seq: this.seq };
  }

  private answer(name: string, input: Record<string, unknown>): unknown {
    switch (name) {
      case 'create_entities': {
        const created: Entity[] = [];
        for (const e of input.entities as Entity[]) {
          if (this.entities.has(e.name)) continue;
          const row = { ...e, observations: [...e.observations] };
          this.entities.set(e.name, row);
          created.push(this.faults.has('create-drops-type') ? { ...row, entityType: '' } : row);
        }
        return { entities: created };
      }
      case 'delete_entities':
        if (!this.faults.has('delete-keeps'))
          for (const n of input.entityNames as string[]) this.entities.delete(n);
        return { success: true };
      case 'read_graph':
        return { entities: [...this.entities.values()] };
      case 'search_nodes': {
        const q = String(input.query);
        const has = (text: string) =>
          this.faults.has('case-sensitive') ? text.includes(q) : text.toLowerCase().includes(q.toLowerCase());
        return {
          entities: [...this.entities.values()].filter(
            (e) => has(e.name) || has(e.entityType) || e.observations.some(has),
          ),
        };
      }
      default:
        throw new Error(`no tool ${name}`);
    }
  }
}

function harness(faults: Fault[]) {
  const app = new FakeGraph(new Set(faults));
  const findings: FindingReport[] = [];
  const engine = new OracleEngine({
    tools: TOOLS,
    call: (name, input) => app.call(name, input),
    report: async (f) => void findings.push(f),
    seed: 'batch-spec',
    now: new Date('2026-12-05T12:00:00Z'),
    timezone: 'UTC',
    latency: new LatencyHistory(),
    maxProbes: 40,
    signal: new AbortController().signal,
  });
  const brain = async (name: string, input: Record<string, unknown>) =>
    engine.observe(name, input, {}, await app.call(name, input));
  return { app, engine, brain, findings };
}

const PEOPLE = [
  { name: 'Marta Kowalski', entityType: 'person', observations: ['Plays the cello on Sundays'] },
  { name: 'Jonas Berg', entityType: 'person', observations: ['Allergic to peanuts'] },
];

/** A day with batch calls: two entities created, the graph read and searched, one deleted. */
async function day(h: ReturnType<typeof harness>): Promise<void> {
  await h.brain('create_entities', { entities: PEOPLE });
  await h.brain('read_graph', {});
  await h.brain('search_nodes', { query: 'cello' });
  await h.brain('delete_entities', { entityNames: ['Jonas Berg'] });
  await h.engine.settle();
}

const checks = (findings: FindingReport[]) => findings.map((f) => `${f.tool} ${f.class} ${f.check}`);

describe('batch tools', () => {
  describe(batchItems.name, () => {
    const create = TOOLS[0];
    const outcome = (data: unknown): ToolOutcome => ({
      ok: true,
      errorKind: null,
      text: '',
      data,
      latencyMs: 1,
      seq: 1,
    });

    it('should pair each item with its answered row by id, and leave out an item the answer skipped', () => {
      const items = batchItems(create, { entities: PEOPLE }, outcome({ entities: [PEOPLE[1]] }));
      expect(items).toHaveLength(1);
      expect(items[0].input).toEqual(PEOPLE[1]);
      expect(items[0].outcome.data).toEqual({ row: PEOPLE[1] });
      expect(items[0].view.semantics).toMatchObject({ effect: 'create', result: 'row', batch: undefined });
      expect(items[0].view.inputSchema).toEqual(entity);
    });

    it('should pair items without ids by position, only when the answer has one row per item', () => {
      const tool = { ...create, semantics: { ...create.semantics!, idField: 'id' } };
      const answered = PEOPLE.map((p, i) => ({ ...p, id: `e${i}` }));
      expect(
        batchItems(tool, { entities: PEOPLE }, outcome({ entities: answered })).map((i) => i.outcome.data),
      ).toEqual(answered.map((row) => ({ row })));
      expect(batchItems(tool, { entities: PEOPLE }, outcome({ entities: answered.slice(1) }))).toEqual([]);
    });

    it('should make a delete of several ids one delete per id', () => {
      const items = batchItems(TOOLS[1], { entityNames: ['a', 'b'] }, outcome({ success: true }));
      expect(items.map((i) => i.input)).toEqual([{ id: 'a' }, { id: 'b' }]);
      expect(batchView(TOOLS[1]).semantics).toMatchObject({ effect: 'delete', idInput: 'id' });
    });
  });

  describe('the engine on a batch server', () => {
    it('should find nothing when the server keeps what it declares', async () => {
      const h = harness([]);
      await day(h);
      expect(h.findings).toEqual([]);
    });

    it.each([
      ['delete-keeps', 'read_graph wrong_result use-after-delete.read_graph'],
      ['case-sensitive', 'search_nodes wrong_result read-your-writes.search_nodes'],
      ['create-drops-type', 'create_entities wrong_result echo.entityType'],
    ] as Array<[Fault, string]>)('should find a server that breaks it (%s)', async (fault, finding) => {
      const h = harness([fault]);
      await day(h);
      expect(checks(h.findings)).toContain(finding);
    });
  });
});
