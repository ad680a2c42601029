import type { BrainTool } from '../../brains/brain.js';
import type { Ledger } from '../ledger.js';
import { canonical, show } from '../values.js';
import type { Row } from '../values.js';
import { verdict } from '../verdict.js';
import type { Verdict } from '../verdict.js';
import { limitOf, unreadable } from './list.checks.js';

interface ReadSnapshot {
  writes: number;
  full: boolean;
  /** Own row id → its expected fields as this read showed them. */
  own: Map<string, string>;
}

/**
 * Two reads with the same input and no write by this persona between them agree on the persona's
 * own rows (`repeatable-read`): the same rows present, with the same values in the fields it set.
 */
export class RepeatableReads {
  private readonly last = new Map<string, ReadSnapshot>();

  constructor(private readonly ledger: Ledger) {}

  check(tool: BrainTool, space: string, input: Row, rows: Row[]): Verdict | null {
    const semantics = tool.semantics;
    if (!semantics || !['list', 'search', 'read'].includes(semantics.effect)) return null;
    // in a shared space another member may write or delete an own row between two reads
    if (space !== '') return null;
    const idField = semantics.idField ?? 'id';
    const limit = limitOf(tool, input);
    const snapshot: ReadSnapshot = {
      writes: this.ledger.writes,
      full: semantics.effect !== 'read' && limit !== undefined && rows.length >= limit,
      own: new Map(),
    };
    for (const row of rows) {
      const own = this.ledger.get(semantics.entity, space, String(row[idField]));
      if (!own?.own || own.deleted || own.unreadable || unreadable(row, semantics.list)) continue;
      const fields = [...own.expect.keys()].sort();
      snapshot.own.set(own.id, canonical(fields.map((f) => row[f])));
    }
    const key = `${tool.name}\u0000${space}\u0000${canonical(input)}`;
    const before = this.last.get(key);
    this.last.set(key, snapshot);
    if (!before || before.writes !== snapshot.writes) return null;
    for (const [id, values] of before.own) {
      const now = snapshot.own.get(id);
      if (now === undefined) {
        if (snapshot.full || before.full || semantics.effect === 'read') continue;
        return verdict(
          'repeatable-read',
          'wrong_result',
          `row ${show(id)} again (no write between)`,
          'missing on the second read',
        );
      }
      if (now !== values)
        return verdict('repeatable-read', 'wrong_result', `row ${show(id)} as before: ${values}`, now);
    }
    for (const id of snapshot.own.keys()) {
      if (!before.own.has(id) && !before.full && !snapshot.full && semantics.effect !== 'read') {
        return verdict(
          'repeatable-read',
          'wrong_result',
          `row ${show(id)} absent as before (no write between)`,
          'present on the second read',
        );
      }
    }
    return null;
  }
}
