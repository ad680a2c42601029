import { get } from './api.js';
import { badge, fmtMs, fmtNum, fmtTime, fmtUsd, h, link, replace, statusTone, table } from './dom.js';

const STATUSES = ['', 'running', 'ok', 'failed', 'timed_out', 'aborted', 'budget_exceeded'];

export function tickColumns({ withPersona = true } = {}) {
  return [
    { label: 'Started', cell: (t) => link(`#/ticks/${t.id}`, fmtTime(t.startedAt)) },
    withPersona
      ? { label: 'Persona', cell: (t) => link(`#/personas/${t.personaId}`, t.personaName ?? t.personaEmail) }
      : null,
    { label: 'Status', cell: (t) => badge(t.status, statusTone(t.status)) },
    {
      label: 'Calls',
      class: 'num',
      cell: (t) => `${fmtNum(t.toolCalls)}${t.errorCount ? ` (${t.errorCount} failed)` : ''}`,
    },
    {
      label: 'Rating',
      class: 'num',
      cell: (t) => (t.avgRating === null ? '—' : `${t.avgRating.toFixed(1)} (${t.ratingCount})`),
    },
    { label: 'Duration', class: 'num', cell: (t) => fmtMs(t.durationMs) },
    { label: 'Cost', class: 'num', cell: (t) => fmtUsd(t.costUsd) },
  ].filter(Boolean);
}

/**
 * A tick list that pages with the API's cursor ("Older ticks" appends the next page); never loads
 * more than one page per click.
 */
export function tickList(query, options) {
  const box = h('div', { class: 'tick-list' });
  const listBox = h('div');
  const items = [];
  let cursor = null;
  const more = h(
    'button',
    { type: 'button', class: 'btn', hidden: true, onclick: () => load() },
    'Older ticks',
  );
  async function load() {
    more.disabled = true;
    const page = await get('/api/v1/reports/ticks', { ...query, limit: options?.limit ?? 50, cursor });
    items.push(...page.items);
    cursor = page.nextCursor;
    replace(listBox, table(tickColumns(options), items, { empty: 'No ticks.' }));
    more.hidden = !cursor;
    more.disabled = false;
  }
  box.append(listBox, more);
  return { element: box, load };
}

/** #/ticks?status=failed — the timeline. */
export async function renderList(root, _params, query) {
  const status = STATUSES.includes(query.get('status') ?? '') ? (query.get('status') ?? '') : '';
  const list = tickList({ status: status || undefined });
  replace(
    root,
    h('h1', {}, 'Ticks'),
    h(
      'div',
      { class: 'toolbar' },
      h(
        'label',
        {},
        'Status ',
        h(
          'select',
          {
            onchange: (e) =>
              (location.hash = e.target.value
                ? `#/ticks?status=${encodeURIComponent(e.target.value)}`
                : '#/ticks'),
          },
          STATUSES.map((st) => h('option', { value: st, selected: st === status }, st || 'any')),
        ),
      ),
    ),
    h('section', { class: 'panel' }, list.element),
  );
  await list.load();
}

/** One finding; a `div` inside a trajectory step (whose list counts only calls), else an `li`. */
function findingItem(f, tag = 'li') {
  return h(
    tag,
    { class: `finding${f.personaMistake ? ' mistake' : ''}` },
    badge(f.personaMistake ? `persona mistake · ${f.class}` : f.class, f.personaMistake ? 'neutral' : 'bad'),
    ' ',
    h('code', {}, f.check),
    ' ',
    h('span', { class: 'muted' }, `${f.tool} · ${f.source}`),
    h(
      'div',
      { class: 'expected-got' },
      h('span', { class: 'muted' }, 'expected '),
      f.expected,
      h('span', { class: 'muted' }, ' · got '),
      f.got,
    ),
  );
}

/**
 * #/ticks/:id?seq=n — one tick's trajectory: each call in order with what the persona found at it,
 * then the ratings and notes. `seq` marks that call (a finding's evidence link) and scrolls to it.
 */
export async function renderDetail(root, params, query) {
  const tick = await get(`/api/v1/reports/ticks/${encodeURIComponent(params.id)}`);
  const wanted = query?.has('seq') ? Number.parseInt(query.get('seq') ?? '', 10) : Number.NaN;
  const findings = tick.findings ?? [];
  const findingsAt = new Map();
  for (const f of findings) {
    if (f.seq === null) continue;
    if (!findingsAt.has(f.seq)) findingsAt.set(f.seq, []);
    findingsAt.get(f.seq).push(f);
  }
  const unplaced = findings.filter((f) => f.seq === null || !tick.actions.some((a) => a.seq === f.seq));
  let marked = null;
  replace(
    root,
    h(
      'p',
      { class: 'crumbs' },
      link('#/ticks', '← Ticks'),
      ' · ',
      link(`#/personas/${tick.personaId}`, tick.personaName ?? tick.personaEmail),
    ),
    h(
      'h1',
      {},
      'Tick ',
      h('code', { class: 'tick-id' }, tick.id.slice(0, 8)),
      ' ',
      badge(tick.status, statusTone(tick.status)),
    ),
    h(
      'dl',
      { class: 'facts wide', id: 'tick-facts' },
      fact('Persona', `${tick.personaName ?? ''} <${tick.personaEmail}>`.trim()),
      fact('Started', fmtTime(tick.startedAt)),
      fact('Finished', fmtTime(tick.finishedAt)),
      fact('Duration', fmtMs(tick.durationMs)),
      fact('Brain', `${tick.brain}${tick.model ? ` · ${tick.model}` : ''}`),
      fact('Tool calls', `${fmtNum(tick.toolCalls)} (${fmtNum(tick.errorCount)} failed)`),
      fact('Tokens', `${fmtNum(tick.tokensIn)} in · ${fmtNum(tick.tokensOut)} out`),
      fact('Cost', fmtUsd(tick.costUsd)),
    ),
    tick.error ? h('p', { class: 'error-box' }, h('strong', {}, 'Error: '), tick.error) : null,
    tick.ratingError
      ? h('p', { class: 'error-box' }, h('strong', {}, 'Rating turn: '), tick.ratingError)
      : null,
    h(
      'section',
      { class: 'panel' },
      h('h2', {}, 'Trajectory'),
      tick.actions.length === 0
        ? h('p', { class: 'empty' }, 'No tool calls were recorded.')
        : h(
            'ol',
            { class: 'trajectory', id: 'trajectory' },
            tick.actions.map((a) => {
              const here = findingsAt.get(a.seq) ?? [];
              const li = h(
                'li',
                {
                  class: `step ${a.result}${a.seq === wanted ? ' marked' : ''}${here.length ? ' has-findings' : ''}`,
                  id: `step-${a.seq}`,
                  'data-seq': a.seq,
                  'aria-current': a.seq === wanted ? 'step' : null,
                },
                h('span', { class: 'step-seq' }, `#${a.seq}`),
                h('code', { class: 'step-tool' }, a.tool),
                badge(
                  a.result === 'ok' ? 'ok' : `error · ${a.errorKind ?? 'unknown'}`,
                  a.result === 'ok' ? 'good' : 'bad',
                ),
                h('span', { class: 'step-latency' }, fmtMs(a.latencyMs)),
                a.errorMessage ? h('div', { class: 'step-error' }, a.errorMessage) : null,
                here.length
                  ? h(
                      'div',
                      { class: 'step-findings' },
                      here.map((f) => findingItem(f, 'div')),
                    )
                  : null,
              );
              if (a.seq === wanted) marked = li;
              return li;
            }),
          ),
      tick.actionsTruncated ? h('p', { class: 'muted' }, 'Only the first 500 calls are shown.') : null,
      Number.isInteger(wanted) && !marked
        ? h('p', { class: 'muted', id: 'seq-missing' }, `Call #${wanted} is not in the recorded trajectory.`)
        : null,
    ),
    unplaced.length
      ? h(
          'section',
          { class: 'panel' },
          h('h2', {}, 'Findings not tied to a shown call'),
          h(
            'ul',
            { class: 'step-findings', id: 'tick-findings' },
            unplaced.map((f) => findingItem(f)),
          ),
        )
      : null,
    h(
      'section',
      { class: 'panel' },
      h('h2', {}, 'Ratings'),
      tick.ratings.length === 0
        ? h('p', { class: 'empty' }, 'This tick has no ratings.')
        : h(
            'ul',
            { class: 'ratings', id: 'ratings' },
            tick.ratings.map((r) =>
              h(
                'li',
                {},
                h(
                  'div',
                  { class: 'rating-head' },
                  h('strong', {}, r.module),
                  ' ',
                  h(
                    'span',
                    { class: `stars r${r.rating}`, 'aria-label': `${r.rating} of 5` },
                    '★'.repeat(r.rating) + '☆'.repeat(5 - r.rating),
                  ),
                ),
                r.notes ? h('p', { class: 'notes' }, r.notes) : h('p', { class: 'muted' }, 'No notes.'),
              ),
            ),
          ),
    ),
  );
  // the page is attached after render resolves; scroll once it is
  if (marked) setTimeout(() => marked.isConnected && marked.scrollIntoView({ block: 'center' }), 0);
}

function fact(label, value) {
  return [h('dt', {}, label), h('dd', {}, value)];
}
