import { toolModule } from '../brains/brain.js';
import type { BrainTool, ToolCallOptions, ToolOutcome } from '../brains/brain.js';
import { errorAsProtocolCheck, inputSchemaCheck, outputSchemaCheck } from './checks/contract.checks.js';
import { answerDerivedChecks, rowDerivedChecks } from './checks/derived.checks.js';
import { declaredSets, echoChecks, frameChecks, stateChecks } from './checks/echo.checks.js';
import {
  entityUnreadable,
  filterChecks,
  limitCheck,
  noDuplicatesCheck,
  orderCheck,
  unreadable,
} from './checks/list.checks.js';
import type { Clock } from './checks/list.checks.js';
import { ReadBack, readBackValuesCheck } from './checks/read-back.js';
import { batchItems } from './batch.js';
import { playInputProbes } from './checks/refusal.checks.js';
import { RepeatableReads } from './checks/repeatable-read.checks.js';
import { ownRowsMissedBySearch, searchMatchesCheck } from './checks/search.checks.js';
import { scanChecks } from './checks/scan.checks.js';
import { SlowCalls } from './checks/slow.checks.js';
import { SchemaValidators } from './json-schema.js';
import { Ledger } from './ledger.js';
import { playHintProbes } from './hint-probes.js';
import { playLifecycle } from './lifecycle-probes.js';
import { exclusionProbes, orderProbes, smallerLimitInput } from './narrowing-probes.js';
import type { LedgerRow } from './ledger.js';
import { mayProbe } from './probe-deps.js';
import type { ProbeDeps } from './probe-deps.js';
import { getPath, isNothing, isRow, presentOnes, rowsAt } from './values.js';
import type { Row } from './values.js';
import { verdict } from './verdict.js';
import type { Verdict } from './verdict.js';

export { LatencyHistory } from './latency-history.js';
export type { OracleEngineOptions } from './oracle-engine.options.js';
export { mayProbe } from './probe-deps.js';
import type { OracleEngineOptions } from './oracle-engine.options.js';

/** Who made a call: a brain, the engine's probes, or a lifecycle probe (whose write is read back). */
type Origin = 'brain' | 'probe' | 'lifecycle';

const DEFAULT_MAX_PROBES = 40;
/** One compiled validator per schema for the whole process, not per tick (see SchemaValidators). */
const SHARED_VALIDATORS = new SchemaValidators();
/** A row this persona wrote in its own space, with its own key, answered as one the tool cannot read. */
const UNREADABLE_OWN = verdict(
  'unreadable.own-row',
  'wrong_result',
  'my own row, readable',
  'flagged unreadable',
);
/** A refusal, an acceptance and a padded text per tool (see pickCases). */
const PROBES_PER_TOOL = 3;

/**
 * Checks every tool call of a persona's day from what the tool declares (input and output schema,
 * annotations, semantics), never from its name, and keeps the persona's ledger of its own writes.
 * `observe` runs the passive checks on each call a brain made and may read a write back at once;
 * `settle` reads back what is still unread, checks deleted rows stay gone and probes each used
 * tool with schema-generated invalid and boundary inputs. A clean app gives no finding: whatever
 * depends on timing, other writers or a full page is inconclusive, and each tool+check is reported
 * once per tick.
 */
export class OracleEngine {
  private readonly tools: Map<string, BrainTool>;
  private readonly validators = SHARED_VALIDATORS;
  private readonly ledger = new Ledger();
  private readonly repeatable = new RepeatableReads(this.ledger);
  private readonly readBack: ReadBack;
  private readonly clock: Clock;
  private readonly maxProbes: number;
  private readonly reported = new Set<string>();
  /** tool \0 space → the persona's last successful, schema-conforming input. */
  private readonly knownGood = new Map<string, Row>();
  /** entity \0 space that had an immediate read-back this tick. */
  private readonly readBackDone = new Set<string>();
  private probes = 0;
  private readonly slowCalls: SlowCalls;
  private lostWrites = 0; // seen this tick: a read-back that adds one stops a probe's second write
  /** List tools already read once with a smaller limit this tick. */
  private readonly limitProbed = new Set<string>();
  /** Tools a brain called this tick, and `tool \0 field` for each input field it sent them. */
  private readonly brainCalled = new Set<string>();

  constructor(private readonly options: OracleEngineOptions) {
    this.tools = new Map(options.tools.map((t) => [t.name, t]));
    this.clock = { now: options.now, timezone: options.timezone };
    this.maxProbes = options.maxProbes ?? DEFAULT_MAX_PROBES;
    this.slowCalls = new SlowCalls(options.latency, options.slow);
    this.readBack = new ReadBack({
      tools: this.tools,
      validators: this.validators,
      clock: this.clock,
      probe: (tool, input, space) => this.probe(tool, input, space),
      knownGood: (tool, space) => this.knownGood.get(`${tool}\u0000${space}`),
    });
  }

  /** After every call a brain made (never for the engine's own probes). */
  async observe(
    name: string,
    input: Record<string, unknown>,
    options: ToolCallOptions,
    outcome: ToolOutcome,
  ): Promise<void> {
    if (this.options.signal.aborted) return;
    const space = options.spaceId ?? '';
    this.brainCalled.add(name);
    for (const [field, value] of Object.entries(input)) {
      this.brainCalled.add(`${name}\u0000${field}`);
      this.brainCalled.add(`${name}\u0000${field}\u0000${JSON.stringify(value)}`);
    }
    await this.examine(name, input, space, outcome, 'brain', !!options.expectError);
    const tool = this.tools.get(name);
    if (outcome.ok && !options.expectError && tool && this.validators.check(tool.inputSchema, input)?.ok) {
      this.knownGood.set(`${name}\u0000${space}`, { ...input });
    }
  }

  /**
   * End of the day: deleted rows, the writes no brain made on the rows it wrote (and idempotent ones
   * twice), unread writes, narrower reads, annotation hints, refusal and boundary probes.
   */
  async settle(): Promise<void> {
    // deleted rows first: a few calls each, and the budget must not run out before them
    for (const row of this.ledger.deletedRows()) {
      if (this.stopped()) return;
      if (row.deleted!.verified) continue;
      const deleter = this.tools.get(row.deleted!.tool);
      const verdicts = await this.readBack.afterDelete(deleter?.semantics?.readers ?? [], row);
      await this.reportAll(verdicts, row.deleted!.tool, row.deleted!.seq);
    }
    // lifecycle-probes.ts: each update or action no brain used, and each idempotent one twice
    await playLifecycle(this.probeDeps('lifecycle'));
    for (const row of this.ledger.ownRows()) await this.verifyWrite(row);
    await this.narrowingProbes();
    await playHintProbes(this.probeDeps('probe'), (tool) => this.options.latency.median(tool) ?? undefined);
    await this.probeInputs();
  }

  /** An own row's write nothing has read since, read back through its writer's readers. */
  private async verifyWrite(row: LedgerRow): Promise<void> {
    // in a shared space another member may have changed or deleted the row since: no verdict
    if (this.stopped() || row.seenSinceWrite || !row.writeTool || row.space !== '') return;
    const writer = this.tools.get(row.writeTool);
    const result = await this.readBack.readYourWrites(writer?.semantics?.readers ?? [], row);
    await this.reportAll(result.verdicts, row.writeTool, row.writeSeq ?? null);
  }

  /** Each list tool with filters, once: a filter set to exclude an own row; each order value not read today. */
  private async narrowingProbes(): Promise<void> {
    const good = (tool: string) => this.knownGood.get(`${tool}\u0000`);
    const probes = [
      ...exclusionProbes(this.tools, this.ledger, good, this.options.seed, this.validators),
      ...orderProbes(this.tools, good, this.validators),
    ];
    for (const p of probes) await this.probe(p.tool, p.input, '');
  }

  private probeInputs(): Promise<void> {
    return playInputProbes(this.probeDeps('probe'), PROBES_PER_TOOL);
  }

  /** What the probe players (lifecycle-probes.ts, refusal.checks.ts) use of the engine. */
  private probeDeps(origin: Exclude<Origin, 'brain'>): ProbeDeps {
    return {
      tools: this.tools,
      ledger: this.ledger,
      knownGood: (tool) => this.knownGood.get(`${tool}\u0000`),
      brainCalled: (tool) => this.brainCalled.has(tool),
      brainSent: (tool, field, value) =>
        this.brainCalled.has(
          `${tool}\u0000${field}${value === undefined ? '' : `\u0000${JSON.stringify(value)}`}`,
        ),
      seed: this.options.seed,
      validators: this.validators,
      mayProbe,
      probe: (tool, input) => this.probe(tool, input, '', origin),
      verify: async (row) => {
        const now = this.ledger.get(row.entity, row.space, row.id);
        const lost = this.lostWrites;
        if (now) await this.verifyWrite(now);
        return this.lostWrites === lost;
      },
      report: (verdicts, tool, seq) => this.reportAll(verdicts, tool, seq),
    };
  }

  /** A probe call, within the budget, examined like any call (without its own probes). */
  private async probe(
    name: string,
    input: Row,
    space: string,
    origin: Exclude<Origin, 'brain'> = 'probe',
  ): Promise<ToolOutcome | null> {
    if (this.stopped() || this.probes >= this.maxProbes) return null;
    this.probes += 1;
    const outcome = await this.options.call(name, input, { probe: true, spaceId: space || undefined });
    if (this.options.signal.aborted) return null;
    await this.examine(name, input, space, outcome, origin, false);
    return outcome;
  }

  private stopped = (): boolean => this.options.signal.aborted;

  private async examine(
    name: string,
    input: Row,
    space: string,
    outcome: ToolOutcome,
    origin: Origin,
    expectError: boolean,
  ): Promise<void> {
    if (outcome.errorKind === 'timeout' || outcome.errorKind === 'unknown_tool') return;
    const slow = this.slowCalls.check(name, outcome.latencyMs);
    if (expectError && !outcome.ok) return;
    const verdicts: Verdict[] = slow ? [slow] : [];
    const tool = this.tools.get(name);
    if (!tool) return this.reportAll(verdicts, name, outcome.seq);
    verdicts.push(...presentOnes([outputSchemaCheck(tool, outcome, this.validators)]));
    if (origin === 'brain') {
      verdicts.push(...presentOnes([errorAsProtocolCheck(tool, input, outcome, this.validators)]));
      verdicts.push(...presentOnes([inputSchemaCheck(tool, input, outcome, this.validators)]));
    }
    await this.reportAll(verdicts, name, outcome.seq);
    const semantics = tool.semantics;
    if (!outcome.ok || !semantics) return;
    // a batch write is judged one item at a time, through its one-row view (batch.ts)
    const items = semantics.batch ? batchItems(tool, input, outcome) : [{ view: tool, input, outcome }];
    for (const item of items) {
      if (semantics.effect === 'delete') await this.afterDelete(item.view, item.input, space, item.outcome);
      else if (!['create', 'update', 'action'].includes(semantics.effect))
        return this.afterRead(tool, input, space, outcome, origin);
      else await this.afterWrite(item.view, item.input, space, item.outcome, origin);
    }
  }

  private async afterWrite(tool: BrainTool, input: Row, space: string, outcome: ToolOutcome, origin: Origin) {
    const semantics = tool.semantics!;
    const verdicts = answerDerivedChecks(semantics.derived, outcome.data);
    const row = semantics.result ? getPath(outcome.data, semantics.result) : undefined;
    const id = isRow(row) ? row[semantics.idField ?? 'id'] : undefined;
    if (!isRow(row) || isNothing(id)) return this.reportAll(verdicts, tool.name, outcome.seq);
    const before = this.ledger.get(semantics.entity, space, String(id));
    // input the tool should have refused promises no echo (that finding is the refusal's)
    const flagged =
      entityUnreadable(this.tools, semantics.entity, row) ||
      this.validators.check(tool.inputSchema, input)?.ok === false;
    const echo = flagged
      ? { verdicts: [], expectations: new Map() }
      : echoChecks(tool, input, outcome.data, row, before?.row);
    const state = flagged
      ? { verdicts: [], expectations: new Map() }
      : stateChecks(declaredSets(semantics, input), row);
    verdicts.push(...echo.verdicts, ...state.verdicts, ...rowDerivedChecks(semantics.derived, row));
    const baseline = space === '' && !flagged ? this.ledger.baseline(before, tool.name) : undefined;
    if (baseline) verdicts.push(...frameChecks(tool, input, row, baseline, before));
    if (space === '' && entityUnreadable(this.tools, semantics.entity, row)) verdicts.push(UNREADABLE_OWN);
    await this.reportAll(verdicts, tool.name, outcome.seq);
    const set = new Map([...echo.expectations, ...state.expectations]);
    const failed = new Set(verdicts.map((v) => v.check.replace(/^(echo|state)\./, '')));
    const by = { tool: tool.name, seq: outcome.seq };
    const entry = this.ledger.wrote(semantics.entity, space, String(id), row, set, flagged, by, failed);
    // a probe's row is not read back; a lifecycle probe's is, by settle, like any unread write
    if (origin === 'probe') entry.seenSinceWrite = true;
    if (origin !== 'brain') return;
    const key = `${semantics.entity}\u0000${space}`;
    if (this.readBackDone.has(key) && this.maxProbes - this.probes <= this.maxProbes / 2) return;
    this.readBackDone.add(key);
    const result = await this.readBack.readYourWrites(semantics.readers, entry);
    await this.reportAll(result.verdicts, tool.name, outcome.seq);
  }

  private async afterDelete(tool: BrainTool, input: Row, space: string, outcome: ToolOutcome): Promise<void> {
    const semantics = tool.semantics!;
    const id =
      (semantics.idInput ? input[semantics.idInput] : undefined) ??
      (semantics.result ? getPath(outcome.data, semantics.result) : undefined);
    if (isNothing(id) || isRow(id)) return;
    this.ledger.deleted(semantics.entity, space, String(id), { tool: tool.name, seq: outcome.seq });
  }

  private async afterRead(tool: BrainTool, input: Row, space: string, outcome: ToolOutcome, origin: Origin) {
    const semantics = tool.semantics!;
    const single = semantics.effect === 'read';
    const rows = single
      ? [semantics.result ? getPath(outcome.data, semantics.result) : outcome.data].filter(isRow)
      : rowsAt(outcome.data, semantics.list?.items ?? 'items');
    if (!rows) return;
    const verdicts: Verdict[] = [...answerDerivedChecks(semantics.derived, outcome.data)];
    if (!single) {
      const idField = semantics.idField ?? 'id';
      const ok = [limitCheck, orderCheck, searchMatchesCheck].map((check) => check(tool, input, rows));
      verdicts.push(...presentOnes([...ok, noDuplicatesCheck(idField, rows)]));
      verdicts.push(...filterChecks(tool, input, rows, this.clock));
      verdicts.push(...scanChecks(semantics.list, outcome.data, rows));
    }
    for (const row of rows) verdicts.push(...rowDerivedChecks(semantics.derived, row));
    verdicts.push(...this.ownRowsShown(tool, space, rows));
    verdicts.push(...presentOnes([this.repeatable.check(tool, space, input, rows)]));
    await this.reportAll(verdicts, tool.name, outcome.seq);
    // a smaller page, once a tick per tool: a limit is only seen held when it cuts something
    const smaller = origin === 'brain' && !this.limitProbed.has(tool.name);
    const narrower = smaller ? smallerLimitInput(tool, input, rows.length, this.validators) : null;
    if (narrower) {
      this.limitProbed.add(tool.name);
      await this.probe(tool.name, narrower, space);
    }
    if (origin === 'brain' && semantics.effect === 'search')
      await this.findsOwn(tool, input, space, outcome, rows);
  }

  /** Own rows in a read: deleted ones must not be there, written ones must show what was set. */
  private ownRowsShown(tool: BrainTool, space: string, rows: Row[]): Verdict[] {
    const semantics = tool.semantics!;
    const out: Verdict[] = [];
    for (const row of rows) {
      const id = row[semantics.idField ?? 'id'];
      if (isNothing(id) || isRow(id)) continue;
      const entry = this.ledger.get(semantics.entity, space, String(id));
      if (!entry?.own) {
        this.ledger.saw(semantics.entity, space, String(id), row, unreadable(row, semantics.list));
        continue;
      }
      if (entry.deleted) {
        out.push({
          check: `use-after-delete.${tool.name}`,
          class: 'wrong_result',
          expected: `row ${JSON.stringify(entry.id)} gone (deleted)`,
          got: 'still shown',
        });
        continue;
      }
      const flagged = unreadable(row, semantics.list);
      if (space === '' && flagged && !entry.unreadable) out.push(UNREADABLE_OWN);
      const values = readBackValuesCheck(entry, row, tool);
      out.push(...values);
      if (!flagged) entry.seenSinceWrite = true;
      if (space === '' && !flagged && !values.length) this.ledger.confirmed(entry, row);
    }
    return out;
  }

  /** An own row the search should have found: a second look, then the other readers, decide. */
  private async findsOwn(tool: BrainTool, input: Row, space: string, outcome: ToolOutcome, rows: Row[]) {
    const started = this.ledger.now();
    const missed = ownRowsMissedBySearch(tool, input, rows, this.ledger, space, this.clock, started);
    const row: LedgerRow | undefined = missed[0];
    if (!row) return;
    const again = await this.probe(tool.name, input, space);
    if (!again || again.errorKind === 'timeout') return;
    const idField = tool.semantics!.idField ?? 'id';
    const shownAgain =
      again.ok &&
      (rowsAt(again.data, tool.semantics!.list?.items ?? 'items') ?? []).some(
        (r) => String(r[idField]) === row.id,
      );
    const verdictFound: Verdict = {
      check: 'search.finds-own',
      class: 'wrong_result',
      expected: `own row ${JSON.stringify(row.id)} (it contains ${JSON.stringify(input[tool.semantics!.search!.query])})`,
      got: shownAgain ? 'missing (a second search shows it)' : 'missing (another reader shows it)',
    };
    if (shownAgain) return this.reportAll([verdictFound], tool.name, outcome.seq);
    const others = tool.semantics!.readers.filter((r) => r !== tool.name);
    const result = await this.readBack.readYourWrites(others, row, {
      reader: tool.name,
      seq: outcome.seq,
      input,
    });
    // in a shared space another member may have deleted it: a row gone everywhere says nothing
    const lost = result.verdicts.filter((v) => v.class === 'lost_write' && space === '');
    if (result.verdicts.some((v) => v.class === 'lost_write'))
      return this.reportAll(lost, tool.name, outcome.seq);
    const mine = result.verdicts.some((v) => v.tool === tool.name);
    const elsewhere = result.verdicts.filter((v) => v.tool !== tool.name);
    await this.reportAll(mine ? [verdictFound, ...elsewhere] : elsewhere, tool.name, outcome.seq);
  }

  private async reportAll(verdicts: Verdict[], toolName: string, seq: number | null): Promise<void> {
    for (const v of verdicts) {
      if (v.class === 'lost_write') this.lostWrites += 1;
      const name = v.tool ?? toolName;
      const key = `${name}\u0000${v.check}`;
      if (this.reported.has(key)) continue;
      this.reported.add(key);
      await this.options.report({
        seq: v.seq ?? seq,
        module: this.tools.get(name)?.module ?? toolModule(name),
        tool: name,
        class: v.class,
        check: v.check,
        expected: v.expected,
        got: v.got,
        source: 'oracle',
      });
    }
  }
}
