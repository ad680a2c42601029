import { z } from 'zod';
import type { BrainTool, ToolOutcome } from '../brains/brain.js';
import type { PublishedToolSemantics } from '../../tool-contract/tool-semantics.js';

/**
 * A small in-memory app with one entity, `task`, declared in the tool vocabulary, that keeps every
 * promise it declares, and switches that make it break one promise each. The oracle engine specs
 * play against it; the tests in this file only pin that the correct fake is correct.
 */
export type Fault =
  | 'ignore-limit'
  | 'wrong-order'
  | 'filter-ignored'
  | 'duplicate'
  | 'lose-create'
  | 'list-misses-row'
  | 'ignore-update-notes'
  | 'stale-update'
  | 'keep-deleted'
  | 'wrong-count'
  | 'wrong-mean'
  | 'wrong-words'
  | 'accept-invalid'
  | 'refuse-boundary'
  | 'unnamed-error'
  | 'search-extra'
  | 'search-misses'
  | 'bad-output'
  | 'protocol-error'
  | 'flaky-read'
  | 'garble-read'
  | 'slow'
  | 'not-done'
  | 'untrimmed'
  | 'update-clears-notes'
  | 'complete-toggles'
  | 'complete-not-saved';

const text = (max: number) => z.string().min(1).max(max);
const PRIORITIES = ['low', 'medium', 'high'] as const;
const inputs = {
  'task.create': z
    .object({
      title: text(60),
      notes: z.string().max(200).optional(),
      priority: z.enum(PRIORITIES).default('medium'),
      tags: z.array(text(20)).max(5).optional(),
      estimate: z.int().min(1).max(10).optional(),
    })
    .strict(),
  'task.list': z
    .object({
      status: z.enum(['open', 'all']).default('open'),
      limit: z.int().min(1).max(50).default(10),
      order: z.enum(['newest', 'title']).default('newest'),
    })
    .strict(),
  'task.search': z.object({ query: text(100), limit: z.int().min(1).max(20).default(5) }).strict(),
  'task.get': z.object({ id: z.string() }).strict(),
  'task.update': z
    .object({
      id: z.string(),
      title: text(60).optional(),
      notes: z.string().max(200).nullable().optional(),
      priority: z.enum(PRIORITIES).optional(),
    })
    .strict(),
  'task.complete': z.object({ id: z.string() }).strict(),
  'task.delete': z.object({ id: z.string() }).strict(),
} as const;
type ToolName = keyof typeof inputs;

const row = z.object({
  id: z.string(),
  title: z.string().nullable(),
  notes: z.string().nullable(),
  priority: z.enum(PRIORITIES),
  tags: z.array(z.string()),
  estimate: z.number().nullable(),
  status: z.enum(['open', 'done']),
  words: z.number(),
  createdAt: z.string(),
  updatedAt: z.string(),
  unreadable: z.boolean(),
});
const listOut = z.object({ items: z.array(row), count: z.number(), meanEstimate: z.number().nullable() });
const rowOut = z.object({ task: row });
const outputs: Record<ToolName, z.ZodType> = {
  'task.create': rowOut,
  'task.list': listOut,
  'task.search': listOut,
  'task.get': rowOut,
  'task.update': rowOut,
  'task.complete': rowOut,
  'task.delete': z.object({ deleted: z.literal(true), id: z.string() }),
};

const READERS = ['task.list', 'task.search', 'task.get'];
const LIST_DERIVED = [
  { field: 'count', rule: 'count' as const, of: 'items' },
  { field: 'meanEstimate', rule: 'mean' as const, of: 'items.estimate', decimals: 1 },
];
const base = { entity: 'task', readers: READERS };
const semantics: Record<ToolName, PublishedToolSemantics> = {
  'task.create': {
    ...base,
    effect: 'create',
    result: 'task',
    idempotent: false,
    echo: [
      { input: 'title', compare: 'text' },
      { input: 'notes', compare: 'text' },
      { input: 'priority', compare: 'exact' },
      { input: 'tags', compare: 'set' },
      { input: 'estimate', compare: 'exact' },
    ],
    derived: [{ field: 'words', rule: 'word-count', of: 'title' }],
  },
  'task.list': {
    ...base,
    effect: 'list',
    idempotent: true,
    derived: LIST_DERIVED,
    list: {
      limit: { input: 'limit', default: 10 },
      order: {
        input: 'order',
        default: 'newest',
        byValue: {
          newest: [{ field: 'createdAt', direction: 'desc' }],
          title: [{ field: 'title', direction: 'asc' }],
        },
      },
      filters: [{ kind: 'one-of', input: 'status', field: 'status', values: { open: ['open'], all: null } }],
      complete: true,
      unreadableFlag: 'unreadable',
    },
  },
  'task.search': {
    ...base,
    effect: 'search',
    idempotent: true,
    derived: LIST_DERIVED,
    search: { query: 'query', fields: ['title', 'notes'], match: 'substring-casefold' },
    list: { limit: { input: 'limit', default: 5 }, complete: true, unreadableFlag: 'unreadable' },
  },
  'task.get': { ...base, effect: 'read', idInput: 'id', result: 'task', idempotent: true },
  'task.update': {
    ...base,
    effect: 'update',
    idInput: 'id',
    result: 'task',
    idempotent: true,
    echo: [
      { input: 'title', compare: 'text' },
      { input: 'notes', compare: 'text', nullClears: true },
      { input: 'priority', compare: 'exact' },
    ],
  },
  'task.complete': {
    ...base,
    effect: 'action',
    idInput: 'id',
    result: 'task',
    idempotent: true,
    sets: { status: { equals: 'done' } },
  },
  'task.delete': { ...base, effect: 'delete', idInput: 'id', result: 'id', idempotent: true },
};

export const TASK_TOOLS: BrainTool[] = (Object.keys(inputs) as ToolName[]).map((name) => ({
  name,
  module: 'task',
  description: name,
  inputSchema: z.toJSONSchema(inputs[name], { target: 'draft-7', io: 'input' }) as Record<string, unknown>,
  outputSchema: z.toJSONSchema(outputs[name], { target: 'draft-7', io: 'output' }) as Record<string, unknown>,
  annotations: { destructiveHint: name === 'task.delete', readOnlyHint: READERS.includes(name) },
  semantics: semantics[name],
}));

type Task = z.infer<typeof row>;

export class FakeTaskApp {
  private readonly rows = new Map<string, Task>();
  private readonly deleted = new Set<string>();
  private next = 1;
  private reads = 0;
  seq = 0;
  calls: Array<{ name: string; input: Record<string, unknown> }> = [];

  constructor(readonly faults: ReadonlySet<Fault> = new Set()) {}

  async call(name: string, input: Record<string, unknown>): Promise<ToolOutcome> {
    this.seq += 1;
    this.calls.push({ name, input });
    const seq = this.seq;
    const latencyMs = this.faults.has('slow') && name === 'task.get' ? 900 : 20;
    const fail = (text: string, code: string, kind: 'tool' | 'protocol' = 'tool'): ToolOutcome => ({
      ok: false,
      errorKind: kind,
      errorCode: kind === 'tool' ? code : 'JSONRPC_-32603',
      text,
      data: undefined,
      latencyMs,
      seq,
    });
    const schema = inputs[name as ToolName];
    if (!schema) return fail(`Unknown tool ${name}`, 'UNKNOWN');
    if (this.faults.has('protocol-error') && name === 'task.get')
      return fail('MCP error -32603: boom', '', 'protocol');
    const parsed = schema.safeParse(input);
    let args = parsed.success ? (parsed.data as Record<string, unknown>) : (input as Record<string, unknown>);
    if (!parsed.success && !this.faults.has('accept-invalid')) {
      const described = parsed.error.issues
        .map((i) => `${i.path.join('.') || '(input)'}: ${i.message}`)
        .join('; ');
      const named = parsed.error.issues
        .map((i) => (i.code === 'unrecognized_keys' ? `unknown field ${i.keys.join(', ')}` : ''))
        .join(' ');
      return fail(
        this.faults.has('unnamed-error')
          ? 'Invalid input'
          : `Invalid input for ${name}: ${described} ${named}`,
        'INVALID_INPUT',
      );
    }
    const atBound = Object.entries(args).find(
      ([k, v]) =>
        (k === 'title' && String(v).length === 60) ||
        (k === 'notes' && String(v).length === 200) ||
        (k === 'estimate' && (v === 1 || v === 10)) ||
        (Array.isArray(v) && v.length === 0),
    );
    if (this.faults.has('refuse-boundary') && atBound)
      return fail(`${atBound[0]}: not supported`, 'INVALID_INPUT');
    args = { ...args };
    const data = this.handle(name as ToolName, args);
    if (typeof data === 'string') return fail(data, 'NOT_FOUND');
    return { ok: true, errorKind: null, errorCode: null, text: JSON.stringify(data), data, latencyMs, seq };
  }

  private clock = 0;

  /** A later instant on every call. */
  private stamp(): string {
    this.clock += 1;
    return new Date(Date.UTC(2026, 11, 4, 9, 0, 0) + this.clock * 1000).toISOString();
  }

  /** Another member of a shared space renames a row. */
  rename(id: string, title: string): void {
    const task = this.rows.get(id);
    if (task) this.rows.set(id, { ...task, title, updatedAt: this.stamp() });
  }

  private handle(name: ToolName, a: Record<string, unknown>): unknown {
    switch (name) {
      case 'task.create': {
        const id = `t${this.next}`;
        const task: Task = {
          id,
          title: this.faults.has('untrimmed') ? String(a.title) : String(a.title).trim(),
          notes: typeof a.notes === 'string' ? a.notes.trim() : null,
          priority: (a.priority ?? 'medium') as Task['priority'],
          tags: (a.tags as string[] | undefined) ?? [],
          estimate: (a.estimate as number | undefined) ?? null,
          status: 'open',
          words: countWords(String(a.title)),
          createdAt: this.stamp(),
          updatedAt: this.stamp(),
          unreadable: false,
        };
        this.next += 1;
        if (!this.faults.has('lose-create')) this.rows.set(id, task);
        if (this.faults.has('wrong-words')) return { task: { ...task, words: task.words + 1 } };
        return this.faults.has('bad-output') ? { task: { ...task, status: 'lost' } } : { task };
      }
      case 'task.get': {
        const task = this.rows.get(String(a.id));
        return task ? { task } : `task ${String(a.id)} not found`;
      }
      case 'task.update': {
        const task = this.rows.get(String(a.id));
        if (!task) return `task ${String(a.id)} not found`;
        const next = { ...task, updatedAt: this.stamp() };
        if (a.title !== undefined) next.title = String(a.title).trim();
        if (a.notes !== undefined && !this.faults.has('ignore-update-notes'))
          next.notes = a.notes === null ? null : String(a.notes).trim();
        if (a.notes === undefined && this.faults.has('update-clears-notes')) next.notes = null;
        if (a.priority !== undefined) next.priority = a.priority as Task['priority'];
        if (!this.faults.has('stale-update')) this.rows.set(task.id, next);
        return { task: next };
      }
      case 'task.complete': {
        const task = this.rows.get(String(a.id));
        if (!task) return `task ${String(a.id)} not found`;
        const toggled = this.faults.has('complete-toggles') && task.status === 'done';
        const done: Task = { ...task, status: this.faults.has('not-done') || toggled ? 'open' : 'done' };
        if (!this.faults.has('complete-not-saved')) this.rows.set(task.id, done);
        return { task: done };
      }
      case 'task.delete': {
        const id = String(a.id);
        if (!this.rows.has(id)) return `task ${id} not found`;
        if (!this.faults.has('keep-deleted')) this.rows.delete(id);
        this.deleted.add(id);
        return { deleted: true, id };
      }
      case 'task.list':
        return this.list(a);
      case 'task.search':
        return this.search(a);
    }
  }

  private list(a: Record<string, unknown>): unknown {
    this.reads += 1;
    let items = [...this.rows.values()].filter(
      (t) => a.status === 'all' || t.status === 'open' || this.faults.has('filter-ignored'),
    );
    if (this.faults.has('list-misses-row')) items = items.slice(1);
    if (this.faults.has('flaky-read') && this.reads % 2 === 0) items = items.slice(0, -1);
    items.sort((x, y) =>
      a.order === 'title'
        ? cmp(x.title, y.title)
        : cmp(y.createdAt, x.createdAt) * (this.faults.has('wrong-order') ? -1 : 1),
    );
    if (this.faults.has('duplicate') && items.length > 0) items.push(items[0]);
    if (this.faults.has('garble-read'))
      items = items.map((t) => ({ ...t, notes: t.notes === null ? null : `${t.notes}!` }));
    return this.page(items, this.faults.has('ignore-limit') ? 1000 : Number(a.limit), true);
  }

  private search(a: Record<string, unknown>): unknown {
    const q = String(a.query).toLowerCase();
    const hit = (t: Task) => [t.title, t.notes].some((f) => !!f && f.toLowerCase().includes(q));
    let items = [...this.rows.values()].filter((t) => hit(t) || this.faults.has('search-extra'));
    if (this.faults.has('search-misses') && Number(a.limit) < 20) items = items.slice(1);
    items.sort((x, y) => cmp(y.createdAt, x.createdAt));
    return this.page(items, Number(a.limit), false);
  }

  private page(all: Task[], limit: number, list: boolean): unknown {
    const items = all.slice(0, limit);
    const estimates = items.map((t) => t.estimate).filter((e): e is number => e !== null);
    const mean =
      estimates.length === 0
        ? null
        : Math.round((estimates.reduce((s, e) => s + e, 0) / estimates.length) * 10) / 10;
    return {
      items,
      count: items.length + (list && this.faults.has('wrong-count') ? 1 : 0),
      meanEstimate: list && this.faults.has('wrong-mean') && mean !== null ? mean + 1 : mean,
    };
  }
}

function cmp(a: string | null, b: string | null): number {
  return (a ?? '') < (b ?? '') ? -1 : (a ?? '') > (b ?? '') ? 1 : 0;
}

function countWords(s: string): number {
  return s.match(/[\p{L}\p{N}][\p{L}\p{N}'’-]*/gu)?.length ?? 0;
}

describe(FakeTaskApp.name, () => {
  it('should keep what it declares when no fault is switched on', async () => {
    const app = new FakeTaskApp();
    const created = await app.call('task.create', { title: 'Buy oat milk', estimate: 2 });
    expect(created.ok).toBe(true);
    const listed = await app.call('task.list', {});
    expect((listed.data as { items: unknown[] }).items).toHaveLength(1);
    const refused = await app.call('task.create', { title: '' });
    expect(refused).toMatchObject({ ok: false, errorKind: 'tool' });
    expect(refused.text).toContain('title');
  });
});
