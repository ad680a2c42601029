import { h } from './dom.js';

/** Rows a paged report view asks for at a time. */
export const PAGE = 50;

/** The `offset` of the hash query: a whole number ≥ 0 (anything else reads as 0). */
export function pageOffset(query) {
  return Math.max(0, Number.parseInt(query.get('offset') ?? '0', 10) || 0);
}

/**
 * ← Previous · `label` · Next →, moving PAGE rows at a time through `go({ offset })`; each button is
 * disabled at its end of the `total` rows.
 */
export function pager({ offset, total, label, go }) {
  return h(
    'div',
    { class: 'pager' },
    h(
      'button',
      {
        type: 'button',
        class: 'btn',
        disabled: offset === 0,
        onclick: () => go({ offset: String(Math.max(0, offset - PAGE)) }),
      },
      '← Previous',
    ),
    h('span', { class: 'muted' }, label),
    h(
      'button',
      {
        type: 'button',
        class: 'btn',
        disabled: offset + PAGE >= total,
        onclick: () => go({ offset: String(offset + PAGE) }),
      },
      'Next →',
    ),
  );
}

/** "1–50 of 120" for the rows shown, or "0 `noun`" when there are none. */
export function rangeLabel(offset, report, noun) {
  return report.total ? `${offset + 1}–${offset + report.items.length} of ${report.total}` : `0 ${noun}`;
}
