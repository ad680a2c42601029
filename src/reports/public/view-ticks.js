import { get } from './api.js';
import { badge, fmtMs, fmtNum, fmtTime, fmtUsd, h, link, replace, statusTone, table } from './dom.js';
import { findingItem, stepItem, unfoldAllButton, wordsPanel } from './trajectory.js';

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
    replace(
      listBox,
      table(tickColumns(options), items, {
        empty: options?.empty ?? [
          'No ticks yet. They appear as the runner plays the personas on their schedule, or when you press “Run a tick now” on a ',
          link('#/personas', 'persona’s page'),
          '.',
        ],
      }),
    );
    more.hidden = !cursor;
    more.disabled = false;
  }
  box.append(listBox, more);
  return { element: box, load };
}

/** #/ticks?status=failed — the timeline. */
export async function renderList(root, _params, query) {
  const status = STATUSES.includes(query.get('status') ?? '') ? (query.get('status') ?? '') : '';
  const list = tickList(
    { status: status || undefined },
    status ? { empty: `No tick ended “${status}”. Choose “any” to see every tick.` } : undefined,
  );
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

/**
 * #/ticks/:id?seq=n — one tick's trajectory: the persona's own words for the day, the findings not
 * tied to a call, then each call in order (input and answer folded, the findings it showed under
 * it, the oracle's probes marked), then the ratings and notes. `seq` marks that call (a finding's
 * evidence link), unfolds it and scrolls to it.
 */
export async function renderDetail(root, params, query) {
  const tick = await get(`/api/v1/reports/ticks/${encodeURIComponent(params.id)}`);
  const wanted = query?.has('seq') ? Number.parseInt(query.get('seq') ?? '', 10) : Number.NaN;
  const actions = tick.actions ?? [];
  const findings = tick.findings ?? [];
  const shown = new Set(actions.map((a) => a.seq));
  const findingsAt = new Map();
  for (const f of findings) {
    if (f.seq === null || !shown.has(f.seq)) continue;
    if (!findingsAt.has(f.seq)) findingsAt.set(f.seq, []);
    findingsAt.get(f.seq).push(f);
  }
  const unplaced = findings.filter((f) => f.seq === null || !shown.has(f.seq));
  const probes = actions.filter((a) => a.origin === 'oracle').length;
  let marked = null;
  const list = h(
    'ol',
    { class: 'trajectory', id: 'trajectory' },
    actions.map((a) => {
      const li = stepItem(a, findingsAt.get(a.seq) ?? [], a.seq === wanted);
      if (a.seq === wanted) marked = li;
      return li;
    }),
  );
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
    wordsPanel(tick.words),
    unplaced.length
      ? h(
          'section',
          { class: 'panel' },
          h('h2', {}, 'Findings of the whole tick'),
          h(
            'p',
            { class: 'muted' },
            'Not tied to one call shown below (the check looked at the day, or the call is past the first 500).',
          ),
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
      h(
        'div',
        { class: 'panel-head' },
        h('h2', {}, 'Trajectory'),
        actions.length ? unfoldAllButton(list) : null,
      ),
      actions.length === 0
        ? h(
            'p',
            { class: 'empty' },
            'No tool calls were recorded: the tick ended before the persona called the app (see the error above, if any).',
          )
        : [
            h(
              'p',
              { class: 'muted' },
              `${fmtNum(actions.length - probes)} calls by the persona` +
                (probes ? `, ${fmtNum(probes)} probes by the oracle (marked “oracle probe”)` : '') +
                '. Open a call to see what was sent and what the app answered.',
            ),
            list,
          ],
      tick.actionsTruncated ? h('p', { class: 'muted' }, 'Only the first 500 calls are shown.') : null,
      Number.isInteger(wanted) && !marked
        ? h('p', { class: 'muted', id: 'seq-missing' }, `Call #${wanted} is not in the recorded trajectory.`)
        : null,
    ),
    h(
      'section',
      { class: 'panel' },
      h('h2', {}, 'Ratings'),
      (tick.ratings ?? []).length === 0
        ? h(
            'p',
            { class: 'empty' },
            'This tick has no ratings: a persona rates the modules it used at the end of a tick that finished.',
          )
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
