import { Logger } from '@nestjs/common';
import { z } from 'zod';
import type { SpaceKeysService } from '../crypto/space-keys.service.js';
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
});
