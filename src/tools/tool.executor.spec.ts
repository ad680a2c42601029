import { Logger } from '@nestjs/common';
import { z } from 'zod';
import type { SpaceKeysService } from '../crypto/space-keys.service.js';
import { ToolError } from '../tool-contract/tool.error.js';
import type { ToolCall, ToolCallInterceptor, ToolCallNext } from '../tool-contract/tool-call.interceptor.js';
import { ToolExecutor, describeIssues } from './tool.executor.js';
import type { ToolPolicy } from './tool.policy.js';
import { ToolRegistry } from './tool.registry.js';
import type { ToolCaller } from './tool.types.js';

describe('describeIssues', () => {
  const schema = z.strictObject({
    title: z.string().max(5),
    priority: z.enum(['low', 'high']).optional(),
    subtasks: z.array(z.strictObject({ title: z.string().min(1) })).optional(),
  });
  const issues = (input: unknown) => {
    const r = schema.safeParse(input);
    if (r.success) throw new Error('expected a failure');
    return describeIssues(r.error.issues);
  };

  it('should name the field and the rule', () => {
    expect(issues({ title: 'far too long' })).toBe('title: Too big: expected string to have <=5 characters');
  });

  it('should name nested fields with a dotted path', () => {
    expect(issues({ title: 'ok', subtasks: [{ title: 'a' }, { title: '' }] })).toMatch(
      /^subtasks\.1\.title: Too small/,
    );
  });

  it('should name unknown fields', () => {
    expect(issues({ title: 'ok', owner: 'x' })).toBe('unknown field "owner" (not allowed)');
  });

  it('should list every problem', () => {
    const text = issues({ priority: 'meh' });
    expect(text).toContain('title: Invalid input: expected string, received undefined');
    expect(text).toContain('priority: Invalid option');
  });
});

describe(ToolExecutor.name, () => {
  const caller: ToolCaller = {
    user: { id: '00000000-0000-4000-8000-000000000001', kind: 'human', tier: 'public', role: 'user' },
    spaceId: '00000000-0000-4000-8000-000000000002',
    invoker: 'mcp',
  };
  // only add() and get() are used: discovery is not needed
  const registry = new ToolRegistry(undefined as never, undefined as never, undefined as never);
  const policy = { authorize: async () => undefined, scan: () => [] } as unknown as ToolPolicy;
  const keys = { getSpaceKey: async () => Buffer.alloc(32) } as unknown as SpaceKeysService;
  const executor = new ToolExecutor(registry, policy, keys);
  const tool = (name: string, answer: unknown) =>
    registry.add(
      {
        name,
        module: 'probe',
        scope: 'user-space',
        policy: 'read',
        description: 'test',
        input: z.strictObject({}),
        output: z.object({ ok: z.boolean() }),
        semantics: { effect: 'read', entity: 'probe', result: 'ok', idempotent: true },
      },
      async () => answer,
    );
  tool('probe.good', { ok: true, extra: 'stripped' });
  tool('probe.bad_output', { ok: 'yes', secret: 'internal detail' });

  it('should answer the output as the schema parses it', async () => {
    expect(await executor.execute('probe.good', {}, caller)).toEqual({
      ok: true,
      tool: 'probe.good',
      output: { ok: true },
      warnings: [],
    });
  });

  it('should withhold an answer that breaks the output schema with OUTPUT_CONTRACT and log it', async () => {
    // jest.spyOn is not available in ESM mode without @jest/globals: record the logger by hand
    const logged: unknown[][] = [];
    const original = Logger.prototype.error;
    Logger.prototype.error = function (...args: unknown[]) {
      logged.push(args);
    };
    try {
      const outcome = await executor.execute('probe.bad_output', {}, caller);
      expect(outcome).toEqual({
        ok: false,
        tool: 'probe.bad_output',
        kind: 'internal',
        code: 'OUTPUT_CONTRACT',
        message:
          'tool probe.bad_output produced an answer that does not match its declared output schema; it was withheld',
        warnings: [],
      });
      expect(JSON.stringify(outcome)).not.toContain('internal detail');
      expect(logged).toContainEqual([
        expect.objectContaining({ tool: 'probe.bad_output' }),
        'tool probe.bad_output returned a result that does not match its output schema',
      ]);
    } finally {
      Logger.prototype.error = original;
    }
  });

  describe('with interceptors', () => {
    const calls: ToolCall[] = [];
    const handled: unknown[] = [];
    /** Passes the call on, recording it; what `change` returns replaces the input or the answer. */
    const interceptor = (change: {
      input?: (input: ToolCall['input']) => ToolCall['input'];
      answer?: (answer: unknown) => unknown;
      fail?: boolean;
    }): ToolCallInterceptor => ({
      async around(call: ToolCall, next: ToolCallNext) {
        calls.push(call);
        if (change.fail) throw new ToolError('probe.echo is temporarily unavailable', 'UNAVAILABLE');
        const answer = await next(change.input ? change.input(call.input) : call.input);
        return change.answer ? change.answer(answer) : answer;
      },
    });
    const withInterceptors = (...list: ToolCallInterceptor[]) => {
      const own = new ToolRegistry(undefined as never, undefined as never, undefined as never);
      own.add(
        {
          name: 'probe.echo',
          module: 'probe',
          scope: 'user-space',
          policy: 'read',
          description: 'test',
          input: z.strictObject({ limit: z.int().min(1).max(5).default(3) }),
          output: z.object({ limit: z.number() }),
          semantics: { effect: 'read', entity: 'probe', result: 'limit', idempotent: true },
        },
        async (input) => {
          handled.push(input);
          return { limit: (input as { limit: number }).limit };
        },
      );
      return new ToolExecutor(own, policy, keys, list);
    };
    beforeEach(() => {
      calls.length = 0;
      handled.length = 0;
    });

    it('should give the interceptor the parsed input (defaults filled), the tool and the caller', async () => {
      const outcome = await withInterceptors(interceptor({})).execute('probe.echo', {}, caller);
      expect(outcome).toEqual({ ok: true, tool: 'probe.echo', output: { limit: 3 }, warnings: [] });
      expect(calls).toEqual([
        {
          tool: 'probe.echo',
          module: 'probe',
          input: { limit: 3 },
          caller: {
            user: { id: caller.user.id, kind: 'human', tier: 'public' },
            spaceId: caller.spaceId,
            invoker: 'mcp',
          },
        },
      ]);
    });

    it('should not call the interceptor for input its schema refuses', async () => {
      const outcome = await withInterceptors(interceptor({})).execute('probe.echo', { limit: 9 }, caller);
      expect(outcome).toMatchObject({ ok: false, code: 'INVALID_INPUT' });
      expect(calls).toEqual([]);
    });

    it('should run the handler on the input the interceptors pass on, the first listed outermost', async () => {
      const executor = withInterceptors(
        interceptor({ input: (i) => ({ ...i, limit: 10 }) }),
        interceptor({ input: (i) => ({ ...i, limit: (i.limit as number) + 1 }) }),
      );
      expect(await executor.execute('probe.echo', { limit: 1 }, caller)).toMatchObject({
        ok: true,
        output: { limit: 11 },
      });
      expect(handled).toEqual([{ limit: 11 }]);
      expect(calls.map((c) => c.input)).toEqual([{ limit: 1 }, { limit: 10 }]);
    });

    it("should answer an interceptor's ToolError as the handler's own error result", async () => {
      const outcome = await withInterceptors(interceptor({ fail: true })).execute('probe.echo', {}, caller);
      expect(outcome).toEqual({
        ok: false,
        tool: 'probe.echo',
        kind: 'tool_error',
        code: 'UNAVAILABLE',
        message: 'probe.echo is temporarily unavailable',
        warnings: [],
      });
      expect(handled).toEqual([]);
    });

    it("should check the interceptor's answer against the output schema", async () => {
      const original = Logger.prototype.error;
      Logger.prototype.error = () => undefined;
      try {
        const executor = withInterceptors(interceptor({ answer: () => ({ limit: 'many' }) }));
        expect(await executor.execute('probe.echo', {}, caller)).toMatchObject({
          ok: false,
          kind: 'internal',
          code: 'OUTPUT_CONTRACT',
        });
      } finally {
        Logger.prototype.error = original;
      }
    });
  });
});
