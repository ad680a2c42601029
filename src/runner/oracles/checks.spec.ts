import { z } from 'zod';
import type { BrainTool, ToolOutcome } from '../brains/brain.js';
import type { FilterRule } from '../../tool-contract/tool-semantics.js';
import { errorAsProtocolCheck, inputSchemaCheck, outputSchemaCheck } from './checks/contract.checks.js';
import { answerDerivedChecks, rowDerivedChecks } from './checks/derived.checks.js';
import { echoChecks } from './checks/echo.checks.js';
import { admits, orderCheck } from './checks/list.checks.js';
import { judgeProbe } from './checks/refusal.checks.js';
import { scanChecks } from './checks/scan.checks.js';
import { SlowCalls, slowRelativeCheck } from './checks/slow.checks.js';
import { TASK_TOOLS } from './fake-task-app.spec.js';
import { SchemaValidators } from './json-schema.js';
import { LatencyHistory } from './latency-history.js';
import { BOUNDARY_ALPHABET, probeCases } from './probe-inputs.js';
import type { ProbeCase } from './probe-inputs.js';

const tool = (name: string): BrainTool => TASK_TOOLS.find((t) => t.name === name)!;
const outcome = (o: Partial<ToolOutcome>): ToolOutcome => ({
  ok: true,
  errorKind: null,
  text: '',
  data: undefined,
  latencyMs: 10,
  seq: 1,
  ...o,
});
const refused = (text: string) => outcome({ ok: false, errorKind: 'tool', errorCode: 'INVALID_INPUT', text });
const clock = { now: new Date('2026-12-04T12:00:00Z'), timezone: 'Europe/Berlin' };

describe('oracle checks', () => {
  const validators = new SchemaValidators();

  describe('judgeProbe', () => {
    const invalid: ProbeCase = { kind: 'invalid', field: 'estimate', input: {}, what: 'estimate 11' };
    const nullOptional: ProbeCase = { kind: 'null-optional', field: 'notes', input: {}, what: 'notes null' };
    const boundary: ProbeCase = { kind: 'boundary', field: 'title', input: {}, what: 'title of 60' };
    const omit: ProbeCase = { kind: 'omit-optional', field: 'notes', input: {}, what: 'notes left out' };
    it.each([
      ['refusal.accepted-invalid', invalid, outcome({}), 'contract'],
      ['refusal.names-field', invalid, refused('Invalid input'), 'confusing'],
      [null, invalid, refused('estimate: Too big'), null],
      ['input.null-optional', nullOptional, outcome({}), 'contract'],
      [null, nullOptional, refused('notes: expected string, received null'), null],
      [
        'contract.error-as-protocol',
        nullOptional,
        outcome({ ok: false, errorKind: 'protocol', errorCode: 'JSONRPC_-32603', text: 'MCP error -32603' }),
        'contract',
      ],
      [
        null,
        nullOptional,
        outcome({ ok: false, errorKind: 'protocol', errorCode: null, text: 'fetch failed' }),
        null,
      ],
      ['boundary.refused', boundary, refused('title: too long'), 'contract'],
      [null, boundary, refused('dueDate must not be before startsAt'), null],
      [null, boundary, outcome({}), null],
      ['input.omit-optional', omit, refused('notes: Required'), 'contract'],
      [null, omit, outcome({}), null],
      [null, invalid, outcome({ ok: false, errorKind: 'timeout', text: 'timeout' }), null],
    ])('should answer %s for a %o probe', (check, probe, answer, cls) => {
      const v = judgeProbe(probe as ProbeCase, answer as ToolOutcome);
      expect(v?.check ?? null).toBe(check);
      expect(v?.class ?? null).toBe(cls);
    });
  });

  describe('contract checks', () => {
    it('should flag an answer outside the output schema, and an OUTPUT_CONTRACT or structured-content error', () => {
      const create = tool('task.create');
      expect(outputSchemaCheck(create, outcome({ data: { task: { id: 1 } } }), validators)?.check).toBe(
        'contract.output-schema',
      );
      const withheld = outcome({
        ok: false,
        errorKind: 'tool',
        errorCode: 'OUTPUT_CONTRACT',
        text: 'withheld',
      });
      expect(outputSchemaCheck(create, withheld, validators)?.class).toBe('contract');
      const client = outcome({
        ok: false,
        errorKind: 'protocol',
        errorCode: 'JSONRPC_-32602',
        text: 'Structured content does not match',
      });
      expect(outputSchemaCheck(create, client, validators)?.check).toBe('contract.output-schema');
      expect(errorAsProtocolCheck(create, { title: 'a' }, client, validators)).toBeNull();
      expect(outputSchemaCheck(create, refused('title: Too big'), validators)).toBeNull();
      // the MCP SDK server's own output validation, as an error result (server-memory and others)
      const sdk = refused(
        'MCP error -32602: Output validation error: Invalid structured content for tool search_nodes: ' +
          'Invalid input: expected string, received undefined at entities[0].entityType',
      );
      expect(outputSchemaCheck(create, sdk, validators)?.class).toBe('contract');
      expect(
        outputSchemaCheck(create, refused('the note has no structured content yet'), validators),
      ).toBeNull();
    });

    it('should flag accepted input outside the schema and keep quiet on a named refusal', () => {
      const create = tool('task.create');
      expect(inputSchemaCheck(create, { title: 'a', estimate: 11 }, outcome({}), validators)?.check).toBe(
        'contract.input-schema',
      );
      expect(
        inputSchemaCheck(create, { title: 'a', estimate: 11 }, refused('estimate: Too big'), validators),
      ).toBeNull();
      expect(
        inputSchemaCheck(create, { title: 'a', estimate: 11 }, refused('Invalid'), validators)?.check,
      ).toBe('refusal.names-field');
      expect(inputSchemaCheck(create, { title: 'a' }, outcome({}), validators)).toBeNull();
    });
  });

  describe('echo checks', () => {
    const update = tool('task.update');
    it.each([
      [{ id: 't1', notes: null }, { notes: null }, []],
      [{ id: 't1', notes: null }, { notes: 'old' }, ['echo.notes:wrong_result']],
      [{ id: 't1', notes: ' new ' }, { notes: 'new' }, []],
      // an update that answers the value before: wrong (only a create answering its default is contract)
      [{ id: 't1', notes: 'new' }, { notes: 'old' }, ['echo.notes:wrong_result']],
      [{ id: 't1', notes: 'new' }, { notes: 'other' }, ['echo.notes:wrong_result']],
    ])('should judge %o answered as %o', (input, row, want) => {
      const got = echoChecks(update, input, { task: row }, row, { notes: 'old' }).verdicts.map(
        (v) => `${v.check}:${v.class}`,
      );
      expect(got).toEqual(want);
    });
  });

  it('should hold a create that leaves a field out to its declared default', () => {
    const create = tool('task.create');
    const echo = (priority: string) =>
      echoChecks(create, { title: 'a' }, {}, { title: 'a', priority }, undefined).verdicts.map(
        (v) => v.check,
      );
    expect(echo('medium')).toEqual([]);
    expect(echo('high')).toEqual(['echo.priority']);
  });

  describe('filters', () => {
    const row = {
      loggedAt: '2026-12-01T10:00:00Z',
      day: '2026-12-02',
      n: 5,
      s: '2026-12-03T10:00:00Z',
      e: '2026-12-03T11:00:00Z',
    };
    it.each<[FilterRule, unknown, unknown, string]>([
      [{ kind: 'days-back', input: 'days', field: 'loggedAt' }, 7, undefined, 'yes'],
      [{ kind: 'days-back', input: 'days', field: 'loggedAt' }, 1, undefined, 'no'],
      [{ kind: 'days-back', input: 'days', field: 'loggedAt' }, 3, undefined, 'unsure'],
      [{ kind: 'min', input: 'from', field: 'day' }, '2026-12-02', undefined, 'yes'],
      [{ kind: 'min', input: 'from', field: 'day', exclusive: true }, '2026-12-02', undefined, 'no'],
      [{ kind: 'max', input: 'to', field: 'n' }, 4, undefined, 'no'],
      [
        { kind: 'overlaps', input: 'from', inputEnd: 'to', field: 's', endField: 'e' },
        '2026-12-03',
        '2026-12-04',
        'yes',
      ],
      [
        { kind: 'overlaps', input: 'from', inputEnd: 'to', field: 's', endField: 'e' },
        '2026-12-03T11:00:00Z',
        '2026-12-04',
        'unsure',
      ],
      [
        { kind: 'overlaps', input: 'from', inputEnd: 'to', field: 's', endField: 'e' },
        '2026-12-04',
        '2026-12-05',
        'no',
      ],
    ])('should admit by %o for %o..%o: %s', (filter, value, end, want) => {
      expect(admits(filter, value, row, clock, end)).toBe(want);
    });
  });

  it('should check nulls-last order and instants as instants', () => {
    const list: BrainTool = {
      ...tool('task.list'),
      semantics: {
        ...tool('task.list').semantics!,
        list: { complete: true, order: { fixed: [{ field: 'due', direction: 'asc', nulls: 'last' }] } },
      },
    };
    expect(
      orderCheck(list, {}, [
        { due: '2026-12-01T10:00:00+01:00' },
        { due: '2026-12-01T09:30:00Z' },
        { due: null },
      ]),
    ).toBeNull();
    expect(orderCheck(list, {}, [{ due: null }, { due: '2026-12-01' }])?.check).toBe('list.order');
  });

  it('should compute means with the declared rounding, sums and word counts', () => {
    const derived = [
      { field: 'avg', rule: 'mean' as const, of: 'items.v', decimals: 1 },
      { field: 'total', rule: 'sum' as const, of: 'items.v' },
      { field: 'words', rule: 'word-count' as const, of: 'content' },
    ];
    expect(
      answerDerivedChecks(derived, { items: [{ v: 1 }, { v: 2 }, { v: 2 }], avg: 1.7, total: 5 }),
    ).toEqual([]);
    expect(answerDerivedChecks(derived, { items: [], avg: null, total: 0 })).toEqual([]);
    expect(
      answerDerivedChecks(derived, { items: [{ v: 1 }], avg: 1.2, total: 2 }).map((v) => v.check),
    ).toEqual(['derived.avg', 'derived.total']);
    expect(rowDerivedChecks(derived, { content: "It's a well-known fact — 42!", words: 5 })).toEqual([]);
    expect(rowDerivedChecks(derived, { content: null, words: 3 })).toEqual([]);
  });

  it('should call a call slow only against ten earlier samples, above 250 ms and below the absolute threshold', () => {
    const history = new LatencyHistory();
    expect(slowRelativeCheck(history, 't', 900)).toBeNull();
    for (let i = 0; i < 10; i += 1) history.record('t', 40);
    expect(slowRelativeCheck(history, 't', 900)?.class).toBe('slow');
    expect(slowRelativeCheck(history, 't', 240)).toBeNull();
    expect(slowRelativeCheck(history, 't', 2500)).toBeNull();
  });

  it('should report a tool slow against its median only at its second slow call of the tick', () => {
    const history = new LatencyHistory();
    for (let i = 0; i < 10; i += 1) history.record('t', 40);
    const tick = new SlowCalls(history);
    expect(tick.check('t', 900)).toBeNull();
    expect(tick.check('u', 900)).toBeNull();
    expect(tick.check('t', 45)).toBeNull();
    expect(tick.check('t', 950)).toMatchObject({
      check: 'slow.relative',
      got: '950 ms (2 slow calls this tick)',
    });
    expect(history.samples('t')).toBe(13);
    // a new tick starts counting again
    expect(new SlowCalls(history).check('t', 900)).toBeNull();
  });

  describe('probeCases', () => {
    const create = tool('task.create');
    const cases = probeCases(create, { title: 'Plan the trip', tags: ['home'] }, validators, 'seed');
    it('should make every invalid case fail the schema and every acceptance case pass it', () => {
      for (const c of cases) {
        const ok = validators.check(create.inputSchema, c.input)?.ok;
        expect(ok).toBe(c.kind === 'boundary' || c.kind === 'omit-optional' || c.kind === 'padded');
      }
      expect(new Set(cases.map((c) => c.kind))).toEqual(
        new Set(['invalid', 'null-optional', 'boundary', 'omit-optional', 'padded']),
      );
    });

    it('should build boundary strings of exactly maxLength from the BMP alphabet, deterministically', () => {
      const title = cases.find((c) => c.kind === 'boundary' && c.field === 'title')!.input.title as string;
      expect(title).toHaveLength(60);
      expect([...title].every((ch) => BOUNDARY_ALPHABET.includes(ch))).toBe(true);
      const again = probeCases(create, { title: 'Plan the trip', tags: ['home'] }, validators, 'seed');
      expect(again).toEqual(cases);
    });

    it('should never send null where the schema allows it nor change the id', () => {
      const update = tool('task.update');
      const forUpdate = probeCases(update, { id: 't1', title: 'x', notes: 'y' }, validators, 'seed');
      expect(forUpdate.some((c) => c.kind === 'null-optional' && c.field === 'notes')).toBe(false);
      expect(forUpdate.every((c) => c.input.id === 't1')).toBe(true);
      const z4 = z.object({ a: z.string().nullable().optional() }).strict();
      const t = {
        ...update,
        inputSchema: z.toJSONSchema(z4, { target: 'draft-7', io: 'input' }) as Record<string, unknown>,
      };
      expect(probeCases(t, { a: 'x' }, validators, 's').some((c) => c.input.a === null)).toBe(false);
    });
  });

  describe(scanChecks.name, () => {
    const list = {
      complete: true,
      unreadableFlag: 'bad',
      scan: { scanned: 'scanned', unreadable: 'unreadable', windowFull: { field: 'full', window: 200 } },
      truncated: { field: 'truncated', max: 500 },
    };
    const hits = [
      { id: 'a', bad: false },
      { id: 'b', bad: true },
    ];
    it.each([
      [{ scanned: 10, unreadable: 1, full: false }, []],
      [{ scanned: 200, unreadable: 9, full: true }, []],
      [{ scanned: 10, unreadable: 1, full: false, truncated: false }, []],
      [{ scanned: 1, unreadable: 1, full: false }, ['list.scan', 'list.scan']],
      [{ scanned: 10, unreadable: 0, full: false }, ['list.scan']],
      [{ scanned: 10, unreadable: 10, full: false }, ['list.scan']],
      [{ scanned: 10, unreadable: 1, full: true }, ['list.scan']],
      [{ scanned: 200, unreadable: 1, full: false }, ['list.scan']],
      [{ scanned: 10, unreadable: 1, full: false, truncated: true }, ['list.truncated']],
    ])('should judge %j against one readable and one unreadable hit: %j', (data, checks) => {
      expect(scanChecks(list, data, hits).map((v) => v.check)).toEqual(checks);
    });
  });
});
