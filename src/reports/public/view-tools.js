import { get } from './api.js';
import { badge, fmtMs, fmtNum, fmtPct, fmtTime, h, link, replace, table } from './dom.js';
import { PAGE, pageOffset, pager, rangeLabel } from './pager.js';

/** #/tools?sort=-calls&offset=0 — per-tool calls, errors by kind, latency percentiles; coverage. */
export async function render(root, _params, query) {
  const sort = query.get('sort') ?? '-calls';
  const offset = pageOffset(query);
  const report = await get('/api/v1/reports/tools', { sort, offset, limit: PAGE });

  const go = (changes) => {
    const q = new URLSearchParams({ sort, offset: String(offset), ...changes });
    location.hash = `#/tools?${q}`;
  };
  const sortable = (label, key, cls) => ({
    label,
    class: cls,
    header: h(
      'button',
      {
        type: 'button',
        class: 'sort',
        'aria-sort': sort === key ? 'ascending' : sort === `-${key}` ? 'descending' : null,
        onclick: () => go({ sort: sort === `-${key}` ? key : `-${key}`, offset: '0' }),
      },
      label,
      sort === key ? ' ▲' : sort === `-${key}` ? ' ▼' : '',
    ),
  });

  const columns = [
    { ...sortable('Tool', 'tool'), cell: (t) => h('code', {}, t.tool) },
    { ...sortable('Calls', 'calls', 'num'), cell: (t) => fmtNum(t.calls) },
    { ...sortable('Error rate', 'errorRate', 'num'), cell: (t) => fmtPct(t.errorRate) },
    {
      label: 'By kind',
      cell: (t) =>
        t.errors === 0
          ? h('span', { class: 'muted' }, 'none')
          : h(
              'span',
              { class: 'kinds' },
              ['protocol', 'tool', 'timeout', 'unknown_tool']
                .filter((k) => t.errorsByKind[k] > 0)
                .map((k) => badge(`${k} ${t.errorsByKind[k]}`, k === 'timeout' ? 'warn' : 'bad')),
            ),
    },
    { ...sortable('p50', 'p50', 'num'), cell: (t) => fmtMs(t.latencyMs.p50) },
    { ...sortable('p95', 'p95', 'num'), cell: (t) => fmtMs(t.latencyMs.p95) },
    { ...sortable('p99', 'p99', 'num'), cell: (t) => fmtMs(t.latencyMs.p99) },
    {
      ...sortable('Last error', 'lastErrorAt'),
      cell: (t) =>
        t.lastError
          ? h(
              'span',
              { class: 'last-error' },
              h('span', { class: 'muted' }, fmtTime(t.lastError.at)),
              ' ',
              t.lastError.message ?? '(no message)',
            )
          : '—',
    },
  ];

  const cov = report.coverage;
  replace(
    root,
    h('h1', {}, 'Tools'),
    h(
      'p',
      { class: 'muted' },
      `Calls from ${fmtTime(report.from)} to ${fmtTime(report.to)}. Latency percentiles are percentile_cont over recorded latencies.`,
    ),
    h(
      'section',
      { class: 'panel', id: 'tools-table' },
      table(columns, report.items, {
        empty: [
          'No tool calls in this range. Every call a persona makes in a tick is counted here: run one from a ',
          link('#/personas', 'persona’s page'),
          '.',
        ],
      }),
      pager({ offset, total: report.total, label: rangeLabel(offset, report, 'tools'), go }),
    ),
    h(
      'section',
      { class: 'panel', id: 'coverage' },
      h('h2', {}, 'Coverage'),
      h(
        'p',
        {},
        `${cov.uncalled.length} of ${cov.userSpaceTools} user-space tools were not called by any persona since ${fmtTime(cov.since)}.`,
      ),
      cov.uncalled.length
        ? h(
            'ul',
            { class: 'chips' },
            cov.uncalled.map((t) => h('li', {}, h('code', {}, t.tool))),
          )
        : null,
    ),
  );
}
