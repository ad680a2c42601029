import { get } from './api.js';
import { badge, fmtNum, fmtPct, fmtRating, fmtTime, h, link, replace, table } from './dom.js';
import { PAGE, pageOffset, pager } from './pager.js';

const FLAG_TEXT = {
  rated_high_but_failing: 'rated 4–5, ≥ 30% of calls failed',
  rated_low_without_cause: 'rated 1–2, no failure, no notes',
};

/** #/said-vs-did?flagged=true&offset=0 — each persona's ratings next to what their calls did. */
export async function render(root, _params, query) {
  const flagged = query.get('flagged') === 'true';
  const offset = pageOffset(query);
  const report = await get('/api/v1/reports/said-vs-did', {
    flagged: flagged ? 'true' : undefined,
    offset,
    limit: PAGE,
  });
  const go = (changes) => {
    const q = new URLSearchParams({ flagged: String(flagged), offset: String(offset), ...changes });
    location.hash = `#/said-vs-did?${q}`;
  };
  replace(
    root,
    h('h1', {}, 'Said vs did'),
    h(
      'p',
      { class: 'muted' },
      'Each persona’s rating of a module next to the error rate of its calls to that module in the same ticks.',
    ),
    h(
      'div',
      { class: 'toolbar' },
      h(
        'label',
        {},
        h('input', {
          type: 'checkbox',
          checked: flagged,
          onchange: (e) => go({ flagged: String(e.target.checked), offset: '0' }),
        }),
        ' Only contradictions',
      ),
    ),
    h(
      'section',
      { class: 'panel' },
      table(
        [
          { label: 'Persona', cell: (r) => link(`#/personas/${r.personaId}`, r.name ?? r.email) },
          { label: 'Module', cell: (r) => r.module },
          { label: 'Avg rating', class: 'num', cell: (r) => `${fmtRating(r.avgRating)} (${r.ratings})` },
          { label: 'Calls', class: 'num', cell: (r) => fmtNum(r.calls) },
          { label: 'Error rate', class: 'num', cell: (r) => fmtPct(r.errorRate) },
          {
            label: 'Contradictions',
            cell: (r) =>
              r.flaggedTicks.length === 0
                ? h('span', { class: 'muted' }, 'none')
                : h(
                    'ul',
                    { class: 'plain' },
                    r.flaggedTicks.map((f) =>
                      h(
                        'li',
                        {},
                        badge(FLAG_TEXT[f.flag] ?? f.flag, 'bad'),
                        ' ',
                        link(`#/ticks/${f.tickId}`, fmtTime(f.at)),
                      ),
                    ),
                  ),
          },
        ],
        report.items,
        {
          empty: flagged
            ? 'No contradictions in this range: every rating matches what the calls did.'
            : [
                'No ratings in this range. A persona rates each module it used at the end of a tick: run one from a ',
                link('#/personas', 'persona’s page'),
                '.',
              ],
        },
      ),
      pager({ offset, total: report.total, label: `${report.total} rows`, go }),
    ),
  );
}
