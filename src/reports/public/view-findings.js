import { get } from './api.js';
import { badge, fmtNum, fmtTime, h, link, replace, table } from './dom.js';

const PAGE = 50;
const CLASSES = ['', 'error', 'slow', 'wrong_result', 'lost_write', 'contract', 'confusing'];
const STATES = ['', 'open', 'gone'];

const classTone = (c) =>
  ({ error: 'bad', lost_write: 'bad', wrong_result: 'bad', slow: 'warn', contract: 'warn' })[c] ?? 'info';

/** The trajectory of the tick, scrolled to the call that showed the finding. */
export function evidenceHash(sample) {
  const seq = sample.seq === null || sample.seq === undefined ? '' : `?seq=${encodeURIComponent(sample.seq)}`;
  return `#/ticks/${encodeURIComponent(sample.tickId)}${seq}`;
}

function evidence(samples) {
  return h(
    'ul',
    { class: 'evidence' },
    samples.map((s) =>
      h(
        'li',
        {},
        h(
          'a',
          { href: evidenceHash(s), class: 'evidence-link', 'data-tick': s.tickId, 'data-seq': s.seq ?? '' },
          `tick ${s.tickId.slice(0, 8)}${s.seq === null ? '' : ` · call #${s.seq}`}`,
        ),
        ' ',
        h('code', {}, s.check),
        h(
          'div',
          { class: 'expected-got' },
          h('span', { class: 'muted' }, 'expected '),
          s.expected,
          h('span', { class: 'muted' }, ' · got '),
          s.got,
        ),
      ),
    ),
  );
}

/**
 * #/findings?state=open&class=&module=&mistakes=1&offset=0 — what the personas found, grouped by
 * module, tool and class; each group with its newest evidence linked to the call in the trajectory.
 */
export async function render(root, _params, query) {
  const pick = (name, allowed) => (allowed.includes(query.get(name) ?? '') ? (query.get(name) ?? '') : '');
  const state = pick('state', STATES);
  const cls = pick('class', CLASSES);
  const module = (query.get('module') ?? '').slice(0, 100);
  const mistakes = query.get('mistakes') === '1';
  const offset = Math.max(0, Number.parseInt(query.get('offset') ?? '0', 10) || 0);
  const report = await get('/api/v1/reports/findings', {
    state: state || undefined,
    class: cls || undefined,
    module: module || undefined,
    personaMistakes: mistakes ? 'true' : undefined,
    offset,
    limit: PAGE,
  });

  const go = (changes) => {
    const next = {
      state,
      class: cls,
      module,
      mistakes: mistakes ? '1' : '',
      offset: String(offset),
      ...changes,
    };
    const q = new URLSearchParams(Object.entries(next).filter(([, v]) => v !== '' && v !== '0'));
    location.hash = q.toString() ? `#/findings?${q}` : '#/findings';
  };
  const select = (label, name, values, current) =>
    h(
      'label',
      {},
      `${label} `,
      h(
        'select',
        { name, onchange: (e) => go({ [name]: e.target.value, offset: '0' }) },
        values.map((v) => h('option', { value: v, selected: v === current }, v || 'any')),
      ),
    );

  const columns = [
    { label: 'Module', cell: (g) => g.module },
    { label: 'Tool', class: 'nowrap', cell: (g) => h('code', {}, g.tool) },
    { label: 'Class', cell: (g) => badge(g.class, classTone(g.class)) },
    { label: 'State', cell: (g) => badge(g.state, g.state === 'open' ? 'bad' : 'good') },
    {
      label: 'Seen',
      class: 'num',
      cell: (g) => `${fmtNum(g.count)} × in ${fmtNum(g.ticks)} ticks by ${fmtNum(g.personas)} personas`,
    },
    { label: 'First seen', cell: (g) => fmtTime(g.firstSeen) },
    { label: 'Last seen', cell: (g) => fmtTime(g.lastSeen) },
    {
      label: 'Planted',
      cell: (g) =>
        g.matchesPlantedFault
          ? h(
              'span',
              { class: 'planted-match' },
              badge('matches', 'info'),
              ' ',
              h('code', {}, g.matchesPlantedFault.defect),
            )
          : h('span', { class: 'muted' }, '—'),
    },
    { label: 'Evidence', cell: (g) => evidence(g.samples) },
  ];

  const pager = h(
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
    h(
      'span',
      { class: 'muted' },
      report.total ? `${offset + 1}–${offset + report.items.length} of ${report.total}` : '0 groups',
    ),
    h(
      'button',
      {
        type: 'button',
        class: 'btn',
        disabled: offset + PAGE >= report.total,
        onclick: () => go({ offset: String(offset + PAGE) }),
      },
      'Next →',
    ),
  );

  const moduleInput = h('input', {
    type: 'search',
    name: 'module',
    value: module,
    placeholder: 'any',
    size: 10,
  });
  replace(
    root,
    h('h1', {}, mistakes ? 'Persona mistakes' : 'Findings'),
    h(
      'p',
      { class: 'muted' },
      mistakes
        ? `The personas' own invalid input from ${fmtTime(report.from)} to ${fmtTime(report.to)}: not the app's fault, kept apart from its findings.`
        : `What the personas found wrong from ${fmtTime(report.from)} to ${fmtTime(report.to)}, by module, tool and class. Open: one of the 3 newest ticks that used the tool still showed it.`,
    ),
    h(
      'form',
      {
        class: 'toolbar',
        onsubmit: (e) => {
          e.preventDefault();
          go({ module: moduleInput.value.trim(), offset: '0' });
        },
      },
      select('State', 'state', STATES, state),
      select('Class', 'class', CLASSES, cls),
      h('label', {}, 'Module ', moduleInput),
      h(
        'label',
        {},
        h('input', {
          type: 'checkbox',
          name: 'mistakes',
          checked: mistakes,
          onchange: (e) => go({ mistakes: e.target.checked ? '1' : '', offset: '0' }),
        }),
        ' Persona mistakes instead',
      ),
    ),
    h(
      'section',
      { class: 'panel', id: 'findings-table' },
      table(columns, report.items, {
        rowAttrs: (g) => ({
          'data-module': g.module,
          'data-tool': g.tool,
          'data-class': g.class,
          'data-state': g.state,
        }),
        empty: mistakes
          ? 'No persona mistakes in this range.'
          : 'No findings in this range: the personas found nothing wrong.',
      }),
      pager,
    ),
  );
}
