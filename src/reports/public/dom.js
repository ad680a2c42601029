// Tiny DOM helpers. Every piece of data reaches the page through textContent or setAttribute,
// never through innerHTML, so names, notes and error messages cannot inject markup.

/**
 * h('a', { href: '#/x', class: 'btn' }, 'text', child) → element.
 * Attributes starting with "on" take a function (event listener); `null`/`false` attributes are skipped.
 */
export function h(tag, attrs = {}, ...children) {
  const el = document.createElement(tag);
  setAttrs(el, attrs);
  append(el, children);
  return el;
}

const SVG_NS = 'http://www.w3.org/2000/svg';

/** Same as h() for SVG elements. */
export function s(tag, attrs = {}, ...children) {
  const el = document.createElementNS(SVG_NS, tag);
  setAttrs(el, attrs);
  append(el, children);
  return el;
}

function setAttrs(el, attrs) {
  for (const [key, value] of Object.entries(attrs ?? {})) {
    if (value === null || value === undefined || value === false) continue;
    if (key.startsWith('on') && typeof value === 'function') el.addEventListener(key.slice(2), value);
    else el.setAttribute(key, value === true ? '' : String(value));
  }
}

function append(el, children) {
  for (const child of children.flat(Infinity)) {
    if (child === null || child === undefined || child === false) continue;
    el.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
}

/** Replaces everything inside `el`. */
export function replace(el, ...children) {
  el.replaceChildren();
  append(el, children);
}

// ---- formatting ----

const pad = (n) => String(n).padStart(2, '0');

/** "2025-03-01 08:05 UTC"; every time on the dashboard is shown in UTC, like the reports count it. */
export function fmtTime(iso) {
  if (!iso) return '—';
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return '—';
  return `${d.getUTCFullYear()}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())} ${pad(d.getUTCHours())}:${pad(
    d.getUTCMinutes(),
  )} UTC`;
}

export function fmtPct(rate) {
  if (rate === null || rate === undefined) return '—';
  return `${(rate * 100).toFixed(rate > 0 && rate < 0.1 ? 1 : 0)}%`;
}

export function fmtNum(n, digits = 0) {
  if (n === null || n === undefined) return '—';
  return Number(n).toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits });
}

export function fmtUsd(n) {
  if (n === null || n === undefined) return '—';
  return `$${Number(n).toFixed(n > 0 && n < 1 ? 4 : 2)}`;
}

export function fmtMs(ms) {
  if (ms === null || ms === undefined) return '—';
  if (ms >= 10_000) return `${(ms / 1000).toFixed(1)} s`;
  return `${Math.round(ms)} ms`;
}

export function fmtRating(r) {
  return r === null || r === undefined ? '—' : Number(r).toFixed(2);
}

/** A small coloured label, e.g. a tick status or a call's outcome. */
export function badge(text, tone = 'neutral') {
  return h('span', { class: `badge badge-${tone}` }, text);
}

export function statusTone(status) {
  const tones = {
    ok: 'good',
    running: 'info',
    failed: 'bad',
    timed_out: 'warn',
    aborted: 'neutral',
    budget_exceeded: 'warn',
    error: 'bad',
  };
  return tones[status] ?? 'neutral';
}

/**
 * A table whose columns are [{ label, cell: (row) => node|text, class? }]. Scrolls sideways on its own.
 * `rowAttrs(row)` gives each row's attributes (e.g. data-* keys that tests and links select by).
 * `empty` says what would fill the table: text (or text and links), or a whole element of its own.
 */
export function table(columns, rows, { empty = 'Nothing here yet.', caption, rowAttrs } = {}) {
  if (rows.length === 0) return empty instanceof Node ? empty : h('p', { class: 'empty' }, empty);
  return h(
    'div',
    { class: 'table-wrap' },
    h(
      'table',
      {},
      caption ? h('caption', {}, caption) : null,
      h(
        'thead',
        {},
        h(
          'tr',
          {},
          columns.map((c) => h('th', { scope: 'col', class: c.class }, c.header ?? c.label)),
        ),
      ),
      h(
        'tbody',
        {},
        rows.map((row) =>
          h(
            'tr',
            rowAttrs ? rowAttrs(row) : {},
            columns.map((c) => h('td', { class: c.class, 'data-label': c.label }, c.cell(row))),
          ),
        ),
      ),
    ),
  );
}

export function link(hash, text) {
  return h('a', { href: hash }, text);
}
