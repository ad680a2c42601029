import type { EchoCompare, StateValue } from '../../tool-contract/tool-semantics.js';
import { isInstant, isNothing, sameByCompare, sameInstant, sameJson } from './values.js';
import type { Row } from './values.js';

/**
 * What this persona wrote during one tick, row by row (entity + space + id): the row as the last
 * answer showed it, what each field it set must read back as, and which rows it deleted. Rows the
 * persona only saw are kept as snapshots (so a delete can be read back), but only written rows are
 * "own": every check that compares two calls fires on own rows only.
 */

/** What a field must read back as: the value sent (under its compare) or a declared state. */
export interface Expectation {
  value?: unknown;
  compare?: EchoCompare | 'seen';
  /** For `items`: the answered item's field a sent string is. */
  itemField?: string;
  state?: StateValue;
  /**
   * The values the field showed before the writes of this tick that set it, oldest first (a read
   * showing one of them is a lost write, even after the same value was written twice).
   */
  earlier: unknown[];
}

export interface LedgerRow {
  key: string;
  entity: string;
  space: string;
  id: string;
  /** The row as the last answer showed it. */
  row: Row;
  own: boolean;
  expect: Map<string, Expectation>;
  /** The write that made or last changed it (for findings about the write). */
  writeTool?: string;
  writeSeq?: number;
  /** The ledger clock at the last write (a search only expects rows written before it ran). */
  writtenAt: number;
  /** A conclusive reader showed it since its last write. */
  seenSinceWrite: boolean;
  deleted?: { tool: string; seq: number; verified: boolean };
  /** The row was flagged unreadable (e.g. decryption failed): no value comparisons. */
  unreadable: boolean;
  /** `Ledger.writes` when `row` was taken: equal to it now means no write of the persona since. */
  writesAtSnapshot: number;
  /** The write tool whose answer `row` is; undefined when a reader showed it last. */
  snapshotTool?: string;
}

export function meets(expectation: Expectation, got: unknown): boolean {
  if (expectation.state) {
    const s = expectation.state;
    if ('equals' in s) return sameJson(s.equals, got) || sameInstant(s.equals, got);
    // cleared: null, absent, or (a list) empty
    return s.set ? !isNothing(got) : isNothing(got) || (Array.isArray(got) && got.length === 0);
  }
  if (expectation.compare === 'seen' || expectation.compare === undefined) {
    return (
      sameJson(expectation.value, got) ||
      (isInstant(expectation.value) && sameInstant(expectation.value, got)) ||
      (isNothing(expectation.value) && isNothing(got))
    );
  }
  return sameByCompare(expectation.compare, expectation.value, got, expectation.itemField);
}

export function describeExpectation(expectation: Expectation): string {
  if (expectation.state) {
    const s = expectation.state;
    return 'equals' in s ? JSON.stringify(s.equals) : s.set ? 'a value' : 'null';
  }
  return JSON.stringify(expectation.value ?? null);
}

/**
 * Did someone else write the row since this persona last saw it? In a shared space another member
 * may edit an own row: a date-time field (such as an update stamp) that moved forward says so.
 */
export function changedSince(known: Row, shown: Row): boolean {
  return Object.keys(shown).some(
    (f) => isInstant(known[f]) && isInstant(shown[f]) && Date.parse(shown[f]) > Date.parse(known[f]),
  );
}

export class Ledger {
  private readonly rows = new Map<string, LedgerRow>();
  private clock = 0;
  /** Successful writes by this persona (brain or probe) so far: a read pair with the same count had none between. */
  writes = 0;

  static key(entity: string, space: string, id: string): string {
    return `${entity}\u0000${space}\u0000${id}`;
  }

  get(entity: string, space: string, id: string): LedgerRow | undefined {
    return this.rows.get(Ledger.key(entity, space, id));
  }

  now(): number {
    return this.clock;
  }

  /** A row shown by any answer (not a write): kept as a snapshot, expectations untouched. */
  saw(entity: string, space: string, id: string, row: Row, unreadable: boolean): void {
    const existing = this.get(entity, space, id);
    if (existing) {
      if (!existing.own) {
        existing.row = row;
        existing.writesAtSnapshot = this.writes;
      }
      return;
    }
    this.rows.set(Ledger.key(entity, space, id), {
      key: Ledger.key(entity, space, id),
      entity,
      space,
      id,
      row,
      own: false,
      expect: new Map(),
      writtenAt: this.clock,
      seenSinceWrite: true,
      unreadable,
      writesAtSnapshot: this.writes,
    });
  }

  /**
   * A successful create, update or action answered `row`; `set` holds the fields it set and must
   * read back (echoes that held, declared states). Other fields already expected take the answer's
   * value: the answer is the new baseline for them.
   */
  wrote(
    entity: string,
    space: string,
    id: string,
    row: Row,
    set: Map<string, Omit<Expectation, 'earlier'>>,
    unreadable: boolean,
    by: { tool: string; seq: number },
    failed: ReadonlySet<string> = new Set(),
  ): LedgerRow {
    this.clock += 1;
    this.writes += 1;
    const key = Ledger.key(entity, space, id);
    const before = this.rows.get(key);
    const expect = new Map<string, Expectation>();
    for (const [field, old] of before?.expect ?? []) {
      // a field this answer got wrong is no baseline for later reads
      if (field in row && !failed.has(field)) {
        expect.set(field, { value: row[field], compare: 'seen', earlier: old.earlier });
      }
    }
    for (const [field, e] of set) {
      const earlier = [...(before?.expect.get(field)?.earlier ?? [])];
      if (before && field in before.row && !earlier.some((v) => sameJson(v, before.row[field])))
        earlier.push(before.row[field]);
      expect.set(field, { ...e, earlier });
    }
    const entry: LedgerRow = {
      key,
      entity,
      space,
      id,
      row: { ...(before?.row ?? {}), ...row },
      own: true,
      expect,
      writeTool: by.tool,
      writeSeq: by.seq,
      writtenAt: this.clock,
      seenSinceWrite: false,
      deleted: undefined,
      unreadable,
      writesAtSnapshot: this.writes,
      snapshotTool: by.tool,
    };
    this.rows.set(key, entry);
    return entry;
  }

  /** A successful delete of `id`: the row, when known, is marked deleted (own from now on). */
  deleted(entity: string, space: string, id: string, by: { tool: string; seq: number }): LedgerRow {
    this.clock += 1;
    this.writes += 1;
    const key = Ledger.key(entity, space, id);
    const entry: LedgerRow = this.rows.get(key) ?? {
      key,
      entity,
      space,
      id,
      row: {},
      own: true,
      expect: new Map(),
      writtenAt: this.clock,
      seenSinceWrite: true,
      unreadable: false,
      writesAtSnapshot: this.writes,
    };
    entry.own = true;
    entry.deleted = { ...by, verified: false };
    this.rows.set(key, entry);
    return entry;
  }

  /** Own rows, written and not deleted, optionally of one entity and space. */
  ownRows(entity?: string, space?: string): LedgerRow[] {
    return [...this.rows.values()].filter(
      (r) =>
        r.own && !r.deleted && (!entity || r.entity === entity) && (space === undefined || r.space === space),
    );
  }

  /** The row's snapshot is current: readable, not deleted, and no write of the persona since it was taken. */
  untouched(row: LedgerRow): boolean {
    return !row.deleted && !row.unreadable && row.writesAtSnapshot === this.writes;
  }

  /**
   * The row as last seen, for the frame check: readable, not deleted, no write of the persona since,
   * and shown by a reader or answered by `tool` itself (another tool's answer may be its own defect).
   */
  baseline(row: LedgerRow | undefined, tool: string): Row | undefined {
    if (!row || !this.untouched(row)) return undefined;
    return row.snapshotTool === undefined || row.snapshotTool === tool ? row.row : undefined;
  }

  /** A reader showed an own row readable, as expected: what it showed is the snapshot from now on. */
  confirmed(entry: LedgerRow, shown: Row): void {
    entry.row = { ...entry.row, ...shown };
    entry.writesAtSnapshot = this.writes;
    entry.snapshotTool = undefined;
  }

  /** Own rows deleted this tick. */
  deletedRows(): LedgerRow[] {
    return [...this.rows.values()].filter((r) => r.own && r.deleted);
  }
}
