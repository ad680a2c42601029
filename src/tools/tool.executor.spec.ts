import { z } from 'zod';
import { describeIssues } from './tool.executor.js';

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
