import type { BrainTool } from '../../brains/brain.js';
import type { SearchSemantics } from '../../../tool-contract/tool-semantics.js';
import type { Ledger, LedgerRow } from '../ledger.js';
import { contains, show } from '../values.js';
import type { Row } from '../values.js';
import { verdict } from '../verdict.js';
import type { Verdict } from '../verdict.js';
import { allAdmit, limitOf, unreadable } from './list.checks.js';
import type { Clock } from './list.checks.js';

/** Does the row match the query in one of the searched fields, per the declared match mode? */
export function matches(search: SearchSemantics, row: Row, query: string): boolean {
  const casefold = search.match === 'substring-casefold';
  return search.fields.some((f) => contains(row[f], query, casefold));
}

/** Every hit of a search contains the query in one of the declared fields (`search.matches`). */
export function searchMatchesCheck(tool: BrainTool, input: Row, items: Row[]): Verdict | null {
  const search = tool.semantics?.search;
  const query = search ? input[search.query] : undefined;
  if (!search || typeof query !== 'string' || query.trim() === '') return null;
  for (const item of items) {
    if (unreadable(item, tool.semantics?.list)) continue;
    if (search.fields.every((f) => !(f in item))) continue;
    if (!matches(search, item, query)) {
      const idField = tool.semantics?.idField ?? 'id';
      return verdict(
        'search.matches',
        'wrong_result',
        `every hit contains ${show(query)} in ${search.fields.join(' or ')}`,
        `hit ${show(item[idField])} does not`,
      );
    }
  }
  return null;
}

/**
 * Own rows that a search answer should have shown and did not (`search.finds-own`): written
 * earlier this tick, not deleted, readable, matching the query in the ledger's values, admitted
 * by the filters for sure, and the answer not full. The engine takes the second look.
 */
export function ownRowsMissedBySearch(
  tool: BrainTool,
  input: Row,
  items: Row[],
  ledger: Ledger,
  space: string,
  clock: Clock,
  startedAt: number,
): LedgerRow[] {
  const semantics = tool.semantics;
  const search = semantics?.search;
  const query = search ? input[search.query] : undefined;
  if (!semantics || !search || typeof query !== 'string' || query.trim() === '') return [];
  if (semantics.list && semantics.list.complete === false) return [];
  const limit = limitOf(tool, input);
  if (limit !== undefined && items.length >= limit) return [];
  const idField = semantics.idField ?? 'id';
  const shown = new Set(items.map((r) => JSON.stringify(r[idField])));
  return ledger
    .ownRows(semantics.entity, space)
    .filter(
      (r) =>
        r.writtenAt <= startedAt &&
        !r.unreadable &&
        !unreadable(r.row, semantics.list) &&
        !shown.has(JSON.stringify(r.id)) &&
        matchesExpected(search, r, query) &&
        allAdmit(tool, input, r.row, clock) === 'yes',
    );
}

/** The row matches the query through a value this persona itself set (and the answer showed). */
function matchesExpected(search: SearchSemantics, row: LedgerRow, query: string): boolean {
  return search.fields.some((f) => {
    const e = row.expect.get(f);
    return (
      !!e &&
      e.value !== undefined &&
      matches(search, { [f]: e.value }, query) &&
      matches(search, row.row, query)
    );
  });
}
