import { SchemaValidators } from './json-schema.js';
import { anotherValue, idempotenceChecks, lifecycleInput, playLifecycle } from './lifecycle-probes.js';
import { mayProbe } from './probe-deps.js';
import type { ProbeDeps } from './probe-deps.js';
import type { Row } from './values.js';
import { Ledger } from './ledger.js';
import type { LedgerRow } from './ledger.js';
import { TASK_TOOLS } from './fake-task-app.spec.js';

const tool = (name: string) => TASK_TOOLS.find((t) => t.name === name)!;

/** An own row as the engine's ledger keeps it after a write. */
function ownRow(row: Record<string, unknown>): LedgerRow {
  return new Ledger().wrote('task', '', String(row.id), row, new Map(), false, {
    tool: 'task.create',
    seq: 1,
  });
}

describe('lifecycle probes', () => {
  const validators = new SchemaValidators();

  describe(anotherValue.name, () => {
    it.each([
      [{ enum: ['low', 'medium', 'high'] }, 'low', 'medium'],
      [{ type: 'boolean' }, true, false],
      [{ type: 'boolean' }, undefined, true],
      [{ type: 'integer', minimum: 1, maximum: 10 }, 10, 9],
      [{ type: 'string', maxLength: 60 }, 'Plan the trip', 'Plan the trip again'],
      [{ type: 'string', maxLength: 8 }, 'Plan the trip', 'Plan the'],
      [{ type: 'string' }, null, 'Checked again'],
      [{ type: 'array', items: { type: 'string' } }, [], ['Checked again']],
      [{ type: 'array', items: { type: 'string' } }, ['a'], []],
    ])('should answer another valid value of %j than %j', (schema, current, expected) => {
      expect(anotherValue(schema, current)).toEqual(expected);
    });

    it('should not guess a value of a format or pattern', () => {
      expect(anotherValue({ type: 'string', format: 'date' }, '2026-12-04')).toBeUndefined();
      expect(anotherValue({ type: 'string', pattern: '^[a-z]+$' }, 'abc')).toBeUndefined();
    });
  });

  describe(lifecycleInput.name, () => {
    const row = ownRow({ id: 't1', title: 'Plan the trip', notes: null, priority: 'medium' });

    it('should send the id alone to an action that needs nothing more', () => {
      expect(lifecycleInput(tool('task.complete'), row, 'seed', validators)).toEqual({ id: 't1' });
    });

    it('should change one echoed field of an update to another valid value', () => {
      const input = lifecycleInput(tool('task.update'), row, 'seed', validators)!;
      expect(Object.keys(input)).toHaveLength(2);
      expect(input.id).toBe('t1');
      expect(validators.check(tool('task.update').inputSchema, input)?.ok).toBe(true);
      const [field] = Object.keys(input).filter((k) => k !== 'id');
      expect(input[field]).not.toEqual(row.row[field]);
    });
  });

  describe(idempotenceChecks.name, () => {
    const semantics = tool('task.complete').semantics!;
    const done = { task: { id: 't1', status: 'done', updatedAt: '2026-12-04T09:00:00.000Z' } };

    it('should pass a repeat that answers the same, stamps aside', () => {
      const again = { task: { ...done.task, updatedAt: '2026-12-04T09:00:05.000Z' } };
      expect(idempotenceChecks(semantics, { id: 't1' }, done, again)).toEqual([]);
    });

    it('should name each field the repeat changed', () => {
      const again = { task: { ...done.task, status: 'open' } };
      expect(idempotenceChecks(semantics, { id: 't1' }, done, again)).toEqual([
        expect.objectContaining({ check: 'idempotent.status', class: 'wrong_result' }),
      ]);
    });
  });

  describe(playLifecycle.name, () => {
    /** Deps around a ledger holding one open own task; `held` is what each read-back concludes. */
    function deps(held: boolean): { deps: ProbeDeps; calls: string[] } {
      const ledger = new Ledger();
      const row = { id: 't1', title: 'Plan the trip', notes: null, priority: 'medium', status: 'open' };
      ledger.wrote('task', '', 't1', row, new Map(), false, { tool: 'task.create', seq: 1 });
      const calls: string[] = [];
      let seq = 1;
      const d: ProbeDeps = {
        tools: new Map(TASK_TOOLS.filter((t) => t.name === 'task.complete').map((t) => [t.name, t])),
        ledger,
        knownGood: () => undefined,
        brainCalled: () => false,
        brainSent: () => false,
        seed: 'seed',
        validators,
        mayProbe,
        probe: async (name: string, input: Row) => {
          calls.push(`${name} ${JSON.stringify(input)}`);
          seq += 1;
          return {
            ok: true,
            errorKind: null,
            data: { task: { ...row, status: 'done' } },
            text: '',
            seq,
            latencyMs: 1,
          };
        },
        report: async () => undefined,
        verify: async () => {
          calls.push('verify');
          return held;
        },
      };
      return { deps: d, calls };
    }

    it('should read the row back between the two calls of an idempotent probe', async () => {
      const { deps: d, calls } = deps(true);
      await playLifecycle(d);
      expect(calls).toEqual(['task.complete {"id":"t1"}', 'verify', 'task.complete {"id":"t1"}', 'verify']);
    });

    it('should not repeat a probe whose first write the read-back showed lost', async () => {
      const { deps: d, calls } = deps(false);
      await playLifecycle(d);
      expect(calls).toEqual(['task.complete {"id":"t1"}', 'verify', 'verify']);
    });
  });
});
