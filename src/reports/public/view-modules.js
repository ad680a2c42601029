import { get } from './api.js';
import { ratingsChart } from './chart.js';
import { badge, fmtNum, fmtPct, fmtRating, h, link, replace, table } from './dom.js';

const RANGES = [
  ['28', 'Last 28 days'],
  ['91', 'Last 13 weeks'],
  ['366', 'Last year'],
];

/** #/modules?bucket=week&days=28 — ratings over time, with the regression rule's verdict per module. */
export async function render(root, _params, query) {
  const bucket = query.get('bucket') === 'day' ? 'day' : 'week';
  const days = RANGES.some(([d]) => d === query.get('days')) ? query.get('days') : '28';
  const to = new Date();
  const from = new Date(to.getTime() - Number(days) * 86_400_000);
  const items = [];
  let report = null;
  let cursor = null;

  const chartBox = h('div', { id: 'modules-chart' });
  const tableBox = h('div');
  const more = h(
    'button',
    { type: 'button', class: 'btn', hidden: true, onclick: () => load() },
    'More modules',
  );

  async function load() {
    more.disabled = true;
    const page = await get('/api/v1/reports/modules', {
      bucket,
      from: from.toISOString(),
      to: to.toISOString(),
      limit: 20,
      cursor,
    });
    report = page;
    items.push(...page.items);
    cursor = page.nextCursor;
    more.hidden = !cursor;
    more.disabled = false;
    draw();
  }

  function draw() {
    const all = { ...report, items };
    replace(chartBox, chartOrWhyNot(all, bucket, days));
    replace(
      tableBox,
      table(
        [
          { label: 'Module', cell: (m) => h('strong', {}, m.module) },
          {
            label: 'Verdict',
            cell: (m) =>
              m.regression.regressed
                ? badge('▼ regressed', 'bad')
                : h('span', { class: 'muted' }, m.regression.reason.replaceAll('_', ' ')),
          },
          {
            label: 'Last 7 d',
            class: 'num',
            cell: (m) => `${fmtRating(m.regression.last7.avg)} (${m.regression.last7.count})`,
          },
          {
            label: 'Prev 21 d',
            class: 'num',
            cell: (m) => `${fmtRating(m.regression.prev21.avg)} (${m.regression.prev21.count})`,
          },
          { label: 'Drop', class: 'num', cell: (m) => fmtRating(m.regression.drop) },
          {
            label: 'Welch t',
            class: 'num',
            cell: (m) =>
              m.regression.t === null ? (m.regression.regressed ? '∞' : '—') : m.regression.t.toFixed(2),
          },
          { label: 'Calls', class: 'num', cell: (m) => fmtNum(sum(m.buckets, 'toolCalls')) },
          { label: 'Error rate', class: 'num', cell: (m) => fmtPct(errorRate(m.buckets)) },
        ],
        items,
        {
          empty: [
            'No module was used or rated in this range. Modules fill in as personas tick: run one from a ',
            link('#/personas', 'persona’s page'),
            '.',
          ],
        },
      ),
    );
  }

  const select = (name, value, options) =>
    h(
      'select',
      {
        name,
        onchange: (e) => {
          const q = new URLSearchParams({ bucket, days });
          q.set(name, e.target.value);
          location.hash = `#/modules?${q}`;
        },
      },
      options.map(([v, label]) => h('option', { value: v, selected: v === value }, label)),
    );

  replace(
    root,
    h('h1', {}, 'Module ratings'),
    h(
      'div',
      { class: 'toolbar' },
      h(
        'label',
        {},
        'Bucket ',
        select('bucket', bucket, [
          ['week', 'Week'],
          ['day', 'Day'],
        ]),
      ),
      h('label', {}, 'Range ', select('days', days, RANGES)),
    ),
    h('section', { class: 'panel' }, chartBox),
    h(
      'section',
      { class: 'panel' },
      h('h2', {}, 'Regression check'),
      h('p', { class: 'muted rule', id: 'regression-rule' }),
      tableBox,
      more,
    ),
  );
  await load();
  root.querySelector('#regression-rule').textContent = `Rule: ${report.regressionRule}.`;
}

/**
 * The chart, or why there is none: no ratings yet, or ratings in a single bucket (a trend needs two
 * points; one dot per module would look like a chart and say nothing).
 */
function chartOrWhyNot(report, bucket, days) {
  const rated = new Set(
    report.items.flatMap((m) => m.buckets.filter((b) => b.avgRating !== null).map((b) => b.start)),
  );
  if (rated.size === 0) {
    return h(
      'p',
      { class: 'empty', id: 'chart-empty' },
      'No ratings in this range. Each tick ends with the persona rating the modules it used: run one from a ',
      link('#/personas', 'persona’s page'),
      ', or wait for the runner.',
    );
  }
  if (rated.size === 1) {
    const [only] = rated;
    return h(
      'p',
      { class: 'empty', id: 'chart-one-bucket' },
      bucket === 'day'
        ? `One day of data so far (${only}); the trend needs two. The table below has the numbers.`
        : [
            `One week of data so far (week of ${only}); the trend needs two. `,
            link(`#/modules?bucket=day&days=${days}`, 'Day buckets'),
            ' show it sooner; the table below has the numbers.',
          ],
    );
  }
  return ratingsChart(report);
}

function sum(buckets, key) {
  return buckets.reduce((a, b) => a + (b[key] ?? 0), 0);
}

function errorRate(buckets) {
  const calls = sum(buckets, 'toolCalls');
  if (!calls) return null;
  return sum(buckets, 'errors') / calls;
}
