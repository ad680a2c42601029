import type { DerivedField } from '../../../tool-contract/tool-semantics.js';
import { countWords, getPath, show } from '../values.js';
import type { Row } from '../values.js';
import { verdict } from '../verdict.js';
import type { Verdict } from '../verdict.js';

/**
 * Fields the tool computes from others (`derived.<field>`): a count of the items, a mean or sum of
 * their numbers (within half a unit of the last declared decimal), the words of a row's text.
 */

function tolerance(d: DerivedField): number {
  return d.decimals === undefined ? 1e-6 : 0.5 * 10 ** -d.decimals + 1e-9;
}

/** The answer's count/mean/sum fields agree with the items it holds. */
export function answerDerivedChecks(derived: DerivedField[] | undefined, data: unknown): Verdict[] {
  const out: Verdict[] = [];
  for (const d of derived ?? []) {
    if (d.rule === 'word-count') continue;
    const reported = getPath(data, d.field);
    const source = getPath(data, d.of);
    if (reported === undefined || !Array.isArray(source)) continue;
    const check = `derived.${d.field}`;
    if (d.rule === 'count') {
      if (reported !== source.length) {
        out.push(
          verdict(
            check,
            'wrong_result',
            `${d.field} ${source.length} (items listed)`,
            `${d.field} ${show(reported)}`,
          ),
        );
      }
      continue;
    }
    if (!source.every((v) => typeof v === 'number')) continue;
    const numbers = source as number[];
    const sum = numbers.reduce((s, v) => s + v, 0);
    if (d.rule === 'mean' && numbers.length === 0) {
      if (reported !== null)
        out.push(
          verdict(check, 'wrong_result', `${d.field} null (no items)`, `${d.field} ${show(reported)}`),
        );
      continue;
    }
    const want = d.rule === 'mean' ? sum / numbers.length : sum;
    if (typeof reported !== 'number' || Math.abs(reported - want) > tolerance(d)) {
      const shown = d.decimals === undefined ? want : Number(want.toFixed(d.decimals));
      out.push(
        verdict(
          check,
          'wrong_result',
          `${d.field} ${shown} (${d.rule} of ${d.of})`,
          `${d.field} ${show(reported)}`,
        ),
      );
    }
  }
  return out;
}

/** A row's word count is the number of words of its text (skipped when the text is not readable). */
export function rowDerivedChecks(derived: DerivedField[] | undefined, row: Row): Verdict[] {
  const out: Verdict[] = [];
  for (const d of derived ?? []) {
    if (d.rule !== 'word-count') continue;
    // `entry.wordCount` names the row field `wordCount` of the answer's row
    const text = rowField(row, d.of);
    const reported = rowField(row, d.field);
    if (typeof text !== 'string' || reported === undefined) continue;
    const want = countWords(text);
    if (reported !== want) {
      out.push(
        verdict(
          `derived.${d.field}`,
          'wrong_result',
          `${d.field} ${want} (words of ${d.of})`,
          `${d.field} ${show(reported)}`,
        ),
      );
    }
  }
  return out;
}

function rowField(row: Row, path: string): unknown {
  if (path in row) return row[path];
  const last = path.split('.').pop()!;
  return row[last];
}
