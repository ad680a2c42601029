import { Ajv } from 'ajv';
import type { Tool as ListedTool } from '@modelcontextprotocol/sdk/types.js';
import { z } from 'zod';
import { TOOL_SEMANTICS_META_KEY } from '../../src/tool-contract/tool-semantics.js';
import type { EchoRule, PublishedToolSemantics } from '../../src/tool-contract/tool-semantics.js';
import type { ToolOptions } from '../../src/tool-contract/tool.types.js';
import { sameByCompare } from '../../src/runner/oracles/values.js';
import { ToolRegistry, semanticsProblems } from '../../src/tools/tool.registry.js';
import { bootTestApp } from '../support/test-app.js';
import type { TestApp } from '../support/test-app.js';
import { http } from '../support/http.js';
import { registerUser } from '../support/factories.js';
import type { TestUser } from '../support/factories.js';
import { closeAllMcpClients, connectMcp, textOf } from './mcp-client.js';
import type { McpTestClient } from './mcp-client.js';

/** A test-only tool whose handler breaks its own output schema (no real tool does on purpose). */
const BAD_OUTPUT_TOOL = 'probe.bad_output';

const today = new Date().toISOString().slice(0, 10);
const tomorrow = new Date(Date.now() + 86_400_000).toISOString().slice(0, 10);

/** Ids the calls create, for the calls that act on them. */
interface Made {
  habitId?: string;
  taskId?: string;
  noteId?: string;
}

/**
 * One valid call of every user-space tool, in an order where each finds the rows it needs (creates
 * first, deletes last). A tool added to the app without a case here fails the coverage test.
 */
const CALLS: Array<[string, (made: Made) => Record<string, unknown>]> = [
  ['spaces.list', () => ({})],
  [
    'habits.create',
    () => ({ title: '  Stretch ', emoji: '🧘', color: '#aa22CC', target: { count: 3, per: 'week' } }),
  ],
  ['habits.list', () => ({})],
  [
    'habits.update',
    (m) => ({ id: m.habitId, title: 'Stretch more', emoji: null, target: { count: 1, per: 'day' } }),
  ],
  ['habits.log', (m) => ({ habitId: m.habitId, day: today, count: 2 })],
  ['habits.recent_logs', (m) => ({ habitId: m.habitId, days: 7 })],
  ['habits.archive', (m) => ({ id: m.habitId, archived: true })],
  [
    'todo.create',
    () => ({
      title: ' Buy oat milk ',
      description: 'the barista one',
      priority: 'high',
      dueDate: tomorrow,
      subtasks: ['check fridge'],
    }),
  ],
  ['todo.list', () => ({ status: 'all', order: 'due', limit: 5 })],
  ['todo.update', (m) => ({ id: m.taskId, title: 'Buy oat milk (2 l)', dueDate: null, priority: 'low' })],
  ['todo.complete', (m) => ({ id: m.taskId })],
  ['notes.create', () => ({ title: ' Ideas ', content: 'A Tiny Garden on the balcony' })],
  ['notes.search', () => ({ query: 'tiny garden', limit: 5 })],
  ['notes.update', (m) => ({ id: m.noteId, content: 'A tiny garden, and herbs' })],
  ['notes.archive', (m) => ({ id: m.noteId })],
  [
    'journal.add',
    () => ({
      title: 'Monday',
      content: "Slept well; a long walk — it's good.",
      mood: 'good',
      tags: ['Sleep', 'walk'],
    }),
  ],
  ['journal.list', () => ({ from: today, limit: 5 })],
  ['mood.log', () => ({ level: 7, emotion: 'calm', activity: 'work', notes: 'steady' })],
  ['mood.recent', () => ({ days: 1 })],
  [
    'calendar.create_event',
    () => ({
      title: 'Dentist',
      location: 'Main St 4',
      startsAt: `${tomorrow}T09:30:00+01:00`,
      endsAt: `${tomorrow}T10:00:00+01:00`,
    }),
  ],
  ['calendar.list_events', () => ({ from: today, to: `${tomorrow}T23:59:59Z` })],
  ['contacts.create', () => ({ name: 'Ada Lovelace', email: 'Ada@Example.com', phone: '+44 20 7946 0000' })],
  ['contacts.search', () => ({ query: 'LOVELACE' })],
  ['todo.delete', (m) => ({ id: m.taskId })],
  ['notes.delete', (m) => ({ id: m.noteId })],
  ['habits.delete', (m) => ({ id: m.habitId })],
];

describe('Tool declarations over MCP', () => {
  let t: TestApp;
  let registry: ToolRegistry;
  let optedIn: TestUser;
  let plain: TestUser;
  let c: McpTestClient;
  let listed: ListedTool[];

  const appTools = () =>
    registry.list().filter((tool) => tool.options.scope === 'user-space' && tool.options.module !== 'probe');

  beforeAll(async () => {
    t = await bootTestApp({ TOOL_RATE_LIMIT: '100000' });
    registry = t.app.get(ToolRegistry);
    registry.add(
      {
        name: BAD_OUTPUT_TOOL,
        module: 'probe',
        scope: 'user-space',
        policy: 'read',
        description: 'Returns an answer that breaks its own output schema (test only).',
        input: z.strictObject({}),
        output: z.object({ ok: z.boolean() }),
        semantics: { effect: 'read', entity: 'probe', result: 'ok', idempotent: true },
      },
      async () => ({ ok: 'yes', secret: 'internal detail' }),
    );
    optedIn = await registerUser(t);
    plain = await registerUser(t);
    const optIn = await http(t.url, 'PATCH', '/api/v1/me/settings', {
      token: optedIn.accessToken,
      body: { destructiveTools: true },
    });
    expect(optIn.status).toBe(200);
    // sessions opened after the opt-in list the destructive tools
    c = await connectMcp(t, { token: optedIn.accessToken });
    listed = (await c.client.listTools()).tools;
  });

  afterAll(async () => {
    await closeAllMcpClients();
    await t.close();
  });

  describe('tools/list', () => {
    it('should list every user-space tool with an object outputSchema', () => {
      const names = listed.map((tool) => tool.name);
      for (const { options } of appTools()) {
        expect(names).toContain(options.name);
        const tool = listed.find((l) => l.name === options.name)!;
        expect(tool.outputSchema).toMatchObject({ type: 'object', properties: expect.any(Object) });
      }
    });

    it('should annotate each tool as its policy and idempotence say', () => {
      for (const { options } of appTools()) {
        const tool = listed.find((l) => l.name === options.name)!;
        expect({ name: options.name, ...tool.annotations }).toEqual({
          name: options.name,
          readOnlyHint: options.policy === 'read',
          destructiveHint: options.policy === 'destructive',
          idempotentHint: options.semantics.idempotent,
          openWorldHint: false,
        });
      }
      const hints = (name: string) => listed.find((l) => l.name === name)!.annotations;
      expect(hints('todo.delete')).toMatchObject({ readOnlyHint: false, destructiveHint: true });
      expect(hints('todo.create')).toMatchObject({ destructiveHint: false, idempotentHint: false });
      expect(hints('todo.complete')).toMatchObject({ destructiveHint: false, idempotentHint: true });
      expect(hints('notes.search')).toMatchObject({ readOnlyHint: true, idempotentHint: true });
    });

    it(`should publish each tool's semantics under _meta["${TOOL_SEMANTICS_META_KEY}"] with its readers`, () => {
      for (const { options } of appTools()) {
        const tool = listed.find((l) => l.name === options.name)!;
        const published = tool._meta?.[TOOL_SEMANTICS_META_KEY] as PublishedToolSemantics;
        expect(published).toEqual(registry.published(options.name));
        expect(published).toMatchObject({
          effect: options.semantics.effect,
          entity: options.semantics.entity,
          idempotent: options.semantics.idempotent,
          readers: expect.any(Array),
        });
      }
      const meta = (name: string) =>
        listed.find((l) => l.name === name)!._meta![TOOL_SEMANTICS_META_KEY] as PublishedToolSemantics;
      expect(meta('todo.create').readers).toEqual(['todo.list']);
      expect(meta('todo.delete')).toMatchObject({
        effect: 'delete',
        entity: 'task',
        idInput: 'id',
        result: 'id',
      });
      expect(meta('notes.archive').readers).toEqual(['notes.search']);
      expect(meta('habits.update').readers).toEqual(['habits.list']);
      expect(meta('habits.log').readers).toEqual(['habits.recent_logs']);
      expect(meta('spaces.list')).toMatchObject({
        effect: 'list',
        entity: 'space',
        readers: ['spaces.list'],
      });
      expect(meta('todo.list').list?.order).toEqual({
        input: 'order',
        default: 'newest',
        byValue: {
          newest: [{ field: 'createdAt', direction: 'desc' }],
          due: [
            { field: 'dueDate', direction: 'asc', nulls: 'last' },
            { field: 'createdAt', direction: 'desc' },
          ],
        },
      });
    });

    it('should publish the same declarations to a user who has not opted in, without the destructive tools', async () => {
      const other = await connectMcp(t, { token: plain.accessToken });
      const tools = (await other.client.listTools()).tools;
      for (const { options } of appTools()) {
        const tool = tools.find((l) => l.name === options.name);
        if (options.policy === 'destructive') {
          expect(tool).toBeUndefined();
          continue;
        }
        expect(tool?._meta?.[TOOL_SEMANTICS_META_KEY]).toEqual(registry.published(options.name));
        // a declaration does not depend on who asks
        expect(tool?.outputSchema).toEqual(listed.find((l) => l.name === options.name)!.outputSchema);
      }
      await other.close();
    });
  });

  describe('tools/call', () => {
    it('should have a valid call in this table for every user-space tool', () => {
      expect(CALLS.map(([name]) => name).sort()).toEqual(appTools().map((tool) => tool.options.name));
    });

    it('should answer every tool with structuredContent that conforms to its outputSchema and keeps its declaration', async () => {
      const ajv = new Ajv({ strict: false, allErrors: true });
      const made: Made = {};
      const failures: string[] = [];
      for (const [name, argsOf] of CALLS) {
        const args = argsOf(made);
        const result = await c.call(name, args);
        if (result.isError) {
          failures.push(`${name}: ${textOf(result)}`);
          continue;
        }
        const answer = result.structuredContent as Record<string, unknown>;
        expect(answer).toBeDefined();
        expect(JSON.parse(textOf(result))).toEqual(answer);
        const { $schema: _ignored, ...schema } = listed.find((l) => l.name === name)!.outputSchema!;
        const validate = ajv.compile(schema);
        if (!validate(answer)) failures.push(`${name}: ${ajv.errorsText(validate.errors)}`);
        failures.push(...declarationMismatches(name, registry.published(name)!, args, answer));

        if (name === 'habits.create') made.habitId = (answer.habit as { id: string }).id;
        if (name === 'todo.create') made.taskId = (answer.task as { id: string }).id;
        if (name === 'notes.create') made.noteId = (answer.note as { id: string }).id;
      }
      expect(failures).toEqual([]);
    });

    it('should answer an error without structuredContent, which the SDK client accepts for a tool with an outputSchema', async () => {
      const result = await c.call('todo.complete', { id: '00000000-0000-4000-8000-000000000000' });
      expect(result.isError).toBe(true);
      expect(result.structuredContent).toBeUndefined();
      expect(result._meta?.['mana/error']).toEqual({ kind: 'tool_error', code: 'NOT_FOUND' });
    });

    it('should withhold an answer that breaks the output schema and name the error OUTPUT_CONTRACT', async () => {
      const result = await c.call(BAD_OUTPUT_TOOL);
      expect(result.isError).toBe(true);
      expect(textOf(result)).toBe(
        `tool ${BAD_OUTPUT_TOOL} produced an answer that does not match its declared output schema; it was withheld`,
      );
      expect(result._meta?.['mana/error']).toEqual({ kind: 'internal', code: 'OUTPUT_CONTRACT' });
      expect(JSON.stringify(result)).not.toContain('internal detail');
    });
  });

  describe('boot-time validation', () => {
    const base = (semantics: unknown): ToolOptions => ({
      name: 'probe.invalid',
      module: 'probe',
      scope: 'user-space',
      policy: 'write',
      description: 'test',
      input: z.strictObject({ title: z.string(), limit: z.int().optional() }),
      output: z.object({ thing: z.object({ id: z.string(), title: z.string() }) }),
      semantics: semantics as ToolOptions['semantics'],
    });

    it('should find nothing wrong with any declaration of the app', () => {
      for (const { options } of registry.list())
        expect([options.name, semanticsProblems(options)]).toEqual([options.name, []]);
    });

    it('should refuse a declaration that names an input the tool does not take, naming the tool', () => {
      const options = base({
        effect: 'create',
        entity: 'thing',
        result: 'thing',
        echo: [{ input: 'titel', compare: 'text' }],
        idempotent: false,
      });
      expect(semanticsProblems(options)).toEqual([
        'echo input "titel" is not an input field',
        'echo field "thing.titel" is not in the output schema',
      ]);
      expect(() => registry.add(options, async () => ({}))).toThrow(
        /Tool "probe\.invalid" declares semantics that do not fit it: echo input "titel" is not an input field/,
      );
      expect(registry.get('probe.invalid')).toBeUndefined();
    });

    it('should refuse an effect without what it needs', () => {
      expect(semanticsProblems(base({ effect: 'create', entity: 'thing', idempotent: false }))).toContain(
        'effect "create" needs result (the row\'s path)',
      );
      const list = semanticsProblems({
        ...base({ effect: 'search', entity: 'thing', idempotent: true }),
        policy: 'read',
      });
      expect(list).toEqual(['effect "search" needs list', 'effect "search" needs search']);
      expect(
        semanticsProblems(
          base({
            effect: 'list',
            entity: 'thing',
            list: { complete: true, limit: { input: 'max', default: 5 } },
            idempotent: true,
          }),
        ),
      ).toEqual(
        expect.arrayContaining([
          'list limit input "max" is not an input field',
          'list items "items" is not in the output schema',
        ]),
      );
      expect(semanticsProblems(base(undefined))).toEqual(['no semantics declared']);
    });
  });
});

/**
 * What the answer of one clean call contradicts in its tool's declaration: echoes, state changes,
 * derived fields, the deleted id and the list's limit. A declaration that promises more than the
 * app does would make the oracles report false findings; this catches the obvious ones.
 */
function declarationMismatches(
  name: string,
  s: PublishedToolSemantics,
  args: Record<string, unknown>,
  answer: Record<string, unknown>,
): string[] {
  const out: string[] = [];
  if (s.effect === 'delete') {
    if (at(answer, s.result!) !== args[s.idInput!]) out.push(`${name}: ${s.result} is not the deleted id`);
    return out;
  }
  const row = s.result ? (at(answer, s.result) as Record<string, unknown> | undefined) : undefined;
  if (s.result && (!row || typeof row !== 'object')) out.push(`${name}: no row at ${s.result}`);
  if (row && s.idInput && row[s.idField ?? 'id'] !== args[s.idInput])
    out.push(`${name}: row is not ${s.idInput}`);
  for (const echo of s.echo ?? []) {
    if (!row || !(echo.input in args)) continue;
    if (echo.when && at(answer, echo.when.path) !== echo.when.equals) continue;
    const field = echo.field ?? echo.input;
    if (!echoes(echo, args[echo.input], row[field])) {
      out.push(
        `${name}: ${field} ${JSON.stringify(row[field])} does not echo ${JSON.stringify(args[echo.input])}`,
      );
    }
  }
  for (const [field, value] of Object.entries(s.sets ?? {})) {
    const got = row?.[field];
    const holds =
      'equals' in value ? got === value.equals : (got !== null && got !== undefined) === value.set;
    if (!holds) out.push(`${name}: ${field} ${JSON.stringify(got)} is not ${JSON.stringify(value)}`);
  }
  for (const d of s.derived ?? []) {
    const got = at(answer, d.field);
    if (d.rule === 'count' && got !== (at(answer, d.of) as unknown[]).length)
      out.push(`${name}: ${d.field} is not the count`);
    if (d.rule === 'mean') {
      const values = (at(answer, d.of.split('.')[0]) as Array<Record<string, number>>).map(
        (i) => i[d.of.split('.')[1]],
      );
      const mean = values.length ? values.reduce((a, b) => a + b, 0) / values.length : null;
      const want =
        mean === null ? null : Math.round(mean * 10 ** (d.decimals ?? 0)) / 10 ** (d.decimals ?? 0);
      if (got !== want) out.push(`${name}: ${d.field} ${String(got)} is not the mean ${String(want)}`);
    }
    if (d.rule === 'word-count') {
      const parent = at(answer, d.field.split('.').slice(0, -1).join('.')) as Record<string, string>;
      const words = parent[d.of].match(/[\p{L}\p{N}][\p{L}\p{N}'’-]*/gu)?.length ?? 0;
      if (got !== words) out.push(`${name}: ${d.field} ${String(got)} is not ${words} words`);
    }
  }
  if (s.list) {
    const items = at(answer, s.list.items ?? 'items');
    if (!Array.isArray(items)) out.push(`${name}: no items at ${s.list.items ?? 'items'}`);
    const limit = s.list.limit
      ? ((args[s.list.limit.input] as number | undefined) ?? s.list.limit.default)
      : undefined;
    if (Array.isArray(items) && limit !== undefined && items.length > limit)
      out.push(`${name}: more than ${limit} items`);
    if (Array.isArray(items) && items.length === 0) out.push(`${name}: lists nothing`);
  }
  return out;
}

function at(value: unknown, path: string): unknown {
  return path
    .split('.')
    .reduce<unknown>((v, key) => (v as Record<string, unknown> | undefined)?.[key], value);
}

/** The declared echo holds, compared exactly as the oracle engine compares it. */
function echoes(rule: EchoRule, sent: unknown, got: unknown): boolean {
  if (sent === null && rule.nullClears)
    return got === null || got === undefined || (Array.isArray(got) && got.length === 0);
  return sameByCompare(rule.compare, sent, got, rule.itemField);
}
