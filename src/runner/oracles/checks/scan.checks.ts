import type { ListSemantics } from '../../../tool-contract/tool-semantics.js';
import { getPath } from '../values.js';
import type { Row } from '../values.js';
import { verdict } from '../verdict.js';
import type { Verdict } from '../verdict.js';
import { unreadable } from './list.checks.js';

/**
 * What a list or search answer says about itself, against its own items (`list.scan`,
 * `list.truncated`): every hit was among the rows scanned; the unreadable count is at least the
 * unreadable hits and at most the rows scanned less the readable hits; the window is full exactly
 * when the scan reached it; and rows are said to be left out only when the answer holds the maximum.
 */
export function scanChecks(list: ListSemantics | undefined, data: unknown, items: Row[]): Verdict[] {
  const out: Verdict[] = [];
  const scan = list?.scan;
  if (scan) {
    const scanned = getPath(data, scan.scanned);
    if (typeof scanned !== 'number') return out;
    const flagged = items.filter((r) => unreadable(r, list)).length;
    const readable = items.length - flagged;
    if (scanned < items.length)
      out.push(
        verdict('list.scan', 'wrong_result', `${scan.scanned} ≥ ${items.length} (the hits)`, `${scanned}`),
      );
    const count = scan.unreadable ? getPath(data, scan.unreadable) : undefined;
    if (typeof count === 'number' && (count < flagged || count > scanned - readable)) {
      out.push(
        verdict(
          'list.scan',
          'wrong_result',
          `${scan.unreadable} between ${flagged} and ${Math.max(flagged, scanned - readable)} (${readable} readable hits of ${scanned} scanned)`,
          `${count}`,
        ),
      );
    }
    const full = scan.windowFull ? getPath(data, scan.windowFull.field) : undefined;
    if (scan.windowFull && typeof full === 'boolean' && full !== scanned >= scan.windowFull.window) {
      out.push(
        verdict(
          'list.scan',
          'wrong_result',
          `${scan.windowFull.field} ${scanned >= scan.windowFull.window} (${scanned} scanned, window ${scan.windowFull.window})`,
          `${full}`,
        ),
      );
    }
  }
  const truncated = list?.truncated ? getPath(data, list.truncated.field) : undefined;
  if (list?.truncated && truncated === true && items.length < list.truncated.max) {
    out.push(
      verdict(
        'list.truncated',
        'wrong_result',
        `${list.truncated.field} false: ${items.length} items, fewer than the ${list.truncated.max} a page holds`,
        'true',
      ),
    );
  }
  return out;
}
