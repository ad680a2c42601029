import type { BrainTool } from '../brains/brain.js';
import { TASK_TOOLS } from './fake-task-app.spec.js';
import { SchemaValidators } from './json-schema.js';
import type { LedgerRow } from './ledger.js';
import { excludingInput, smallerLimitInput } from './narrowing-probes.js';
import { searchQueryFor } from './reader-input.js';

const list = TASK_TOOLS.find((t) => t.name === 'task.list')!;
const validators = new SchemaValidators();

/** A calendar-like list: events overlapping [from, to). */
const events: BrainTool = {
  name: 'event.list',
  module: 'event',
  description: 'events overlapping [from, to)',
  inputSchema: {
    type: 'object',
    properties: { from: { type: 'string' }, to: { type: 'string' }, archived: { type: 'boolean' } },
    required: ['from', 'to'],
    additionalProperties: false,
  },
  semantics: {
    effect: 'list',
    entity: 'event',
    readers: ['event.list'],
    idempotent: true,
    list: {
      complete: true,
      filters: [
        { kind: 'overlaps', input: 'from', inputEnd: 'to', field: 'startsAt', endField: 'endsAt' },
        { kind: 'equals', input: 'archived', field: 'archived' },
      ],
    },
  },
};

const own = (row: Record<string, unknown>): LedgerRow => ({
  key: 'k',
  entity: 'event',
  space: '',
  id: String(row.id),
  row,
  own: true,
  expect: new Map(),
  writtenAt: 1,
  seenSinceWrite: true,
  unreadable: false,
  writesAtSnapshot: 0,
});

describe('narrowing probes', () => {
  it('should read a list of n items again with limit n − 1, and not when nothing could be cut', () => {
    expect(smallerLimitInput(list, { status: 'all', limit: 50 }, 3, validators)).toEqual({
      status: 'all',
      limit: 2,
    });
    expect(smallerLimitInput(list, {}, 4, validators)).toEqual({ limit: 3 });
    expect(smallerLimitInput(list, { limit: 50 }, 1, validators)).toBeNull();
    expect(smallerLimitInput(events, { from: 'a', to: 'b' }, 5, validators)).toBeNull();
  });

  it('should set a filter so that it excludes an own row: another status, the other boolean, a range before or after it', () => {
    const task = own({ id: 't1', status: 'done' });
    expect(excludingInput(list, { limit: 50 }, task, 0, validators)).toEqual({ limit: 50, status: 'open' });
    const event = own({
      id: 'e1',
      startsAt: '2026-12-10T09:00:00.000Z',
      endsAt: '2026-12-10T10:00:00.000Z',
      archived: false,
    });
    const inputs = [0, 1, 2].map((v) => excludingInput(events, {}, event, v, validators));
    const before = { from: '2026-12-07T09:00:00.000Z', to: '2026-12-09T09:00:00.000Z' };
    const after = { from: '2026-12-11T10:00:00.000Z', to: '2026-12-12T10:00:00.000Z' };
    // `archived: true` alone misses the required range, so only the two ranges are candidates
    expect(inputs).toEqual([before, after, before]);
    // with a range the persona sent, the other boolean is a candidate as well
    const range = { from: '2026-12-01T00:00:00.000Z', to: '2026-12-31T00:00:00.000Z' };
    expect(excludingInput(events, range, event, 2, validators)).toEqual({ ...range, archived: true });
  });

  it('should search by a phrase as written, in the other case when the search folds case', () => {
    expect(searchQueryFor(['Call the plumber about kitchen sink'], true)).toBe('PLUMBER ABOUT KITCHEN');
    expect(searchQueryFor(['Call the dog'], true)).toBe('cALL');
    expect(searchQueryFor(['Book flights before Friday evening'], true)).toBe('bOOK FLIGHTS BEFORE');
    expect(searchQueryFor(['Book flights before Friday evening'], false)).toBe('Book flights before');
    // only ASCII letters change case: ß would come back as SS, which folds to ss
    expect(searchQueryFor(['Straße gießen morgen'], true)).toBe('sTRAßE GIEßEN MORGEN');
    expect(searchQueryFor(['ok', null, 42], true)).toBeNull();
  });
});
