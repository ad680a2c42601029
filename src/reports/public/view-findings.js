import { ApiError, download, get } from './api.js';
import { badge, fmtNum, fmtTime, h, link, replace, table } from './dom.js';
import { PAGE, pageOffset, pager, rangeLabel } from './pager.js';

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

const plural = (n, noun) => `${fmtNum(n)} ${noun}${n === 1 ? '' : 's'}`;

/** The personas for the filter: the first pages of the admin list, enough for a select. */
async function personaOptions() {
  const personas = [];
  let cursor = null;
  try {
    for (let page = 0; page < 5; page++) {
      const res = await get('/api/v1/personas/admin', { limit: 200, cursor });
      personas.push(...res.items);
      cursor = res.nextCursor;
      if (!cursor) break;
    }
  } catch (error) {
    // an ended session ends the view; any other failure leaves the filter with what it has
    if (error instanceof ApiError && (error.status === 401 || error.status === 403)) throw error;
  }
  return personas.map((p) => ({ id: p.userId, label: p.name ? `${p.name} <${p.email}>` : p.email }));
}

/**
 * Who saw a group: each persona by name, linked to its page. The API names at most 20 (`seenBy`);
 * `personas` is the full count.
 */
function seenBy(g) {
  const named = Array.isArray(g.seenBy) ? g.seenBy : [];
  const more = Math.max(0, (g.personas ?? 0) - named.length);
  if (named.length === 0) return null;
  return h(
    'ul',
    { class: 'plain seen-by' },
    named.map((p) =>
      h('li', { 'data-persona': p.id }, link(`#/personas/${encodeURIComponent(p.id)}`, p.name ?? p.email)),
    ),
    more ? h('li', { class: 'muted' }, `and ${fmtNum(more)} more`) : null,
  );
}

/** The empty list that teaches: plant a defect, run a tick, come back. */
function emptyFindings(filtered, personaId) {
  return h(
    'div',
    { class: 'empty-state', id: 'findings-empty' },
    h(
      'p',
      {},
      h('strong', {}, filtered ? 'No findings match these filters. ' : 'No findings yet. '),
      'The personas report what they find wrong here. To see one: ',
      h('strong', {}, 'Plant a defect in the Fault lab and run a tick'),
      '.',
    ),
    h(
      'p',
      { class: 'empty-links' },
      h('a', { href: '#/faults', class: 'btn', id: 'hint-fault-lab' }, '1 · Plant a defect in the Fault lab'),
      ' ',
      h(
        'a',
        {
          href: personaId ? `#/personas/${encodeURIComponent(personaId)}` : '#/personas',
          class: 'btn',
          id: 'hint-run-tick',
        },
        personaId ? '2 · Run a tick of this persona' : '2 · Run a tick from a persona’s page',
      ),
    ),
  );
}

/**
 * #/findings?state=open&class=&module=&persona=&mistakes=1&offset=0 — what the personas found,
 * grouped by module, tool and class; each group with the personas who saw it and its newest
 * evidence linked to the call in the trajectory. "Export CSV" downloads the groups shown as CSV.
 */
export async function render(root, _params, query) {
  const pick = (name, allowed) => (allowed.includes(query.get(name) ?? '') ? (query.get(name) ?? '') : '');
  const state = pick('state', STATES);
  const cls = pick('class', CLASSES);
  const module = (query.get('module') ?? '').slice(0, 100);
  const persona = /^[0-9a-fA-F-]{36}$/.test(query.get('persona') ?? '') ? query.get('persona') : '';
  const mistakes = query.get('mistakes') === '1';
  const offset = pageOffset(query);
  const filters = {
    state: state || undefined,
    class: cls || undefined,
    module: module || undefined,
    personaId: persona || undefined,
    personaMistakes: mistakes ? 'true' : undefined,
  };
  const [report, personas] = await Promise.all([
    get('/api/v1/reports/findings', { ...filters, offset, limit: PAGE }),
    personaOptions(),
  ]);
  if (persona && !personas.some((p) => p.id === persona)) personas.unshift({ id: persona, label: persona });

  const go = (changes) => {
    const next = {
      state,
      class: cls,
      module,
      persona,
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
  const personaSelect = h(
    'label',
    {},
    'Persona ',
    h(
      'select',
      {
        name: 'persona',
        id: 'findings-persona',
        onchange: (e) => go({ persona: e.target.value, offset: '0' }),
      },
      h('option', { value: '', selected: !persona }, 'any'),
      personas.map((p) => h('option', { value: p.id, selected: p.id === persona }, p.label)),
    ),
  );

  const exportMessage = h('span', { class: 'error', role: 'alert' });
  const exportButton = h(
    'button',
    {
      type: 'button',
      class: 'btn',
      id: 'findings-export',
      onclick: async () => {
        exportButton.disabled = true;
        exportMessage.textContent = '';
        try {
          // the file holds what the view shows: the same filters and the same page
          await download(
            '/api/v1/reports/findings',
            { ...filters, offset, limit: PAGE, format: 'csv' },
            `findings-${new Date().toISOString().slice(0, 10)}.csv`,
          );
        } catch (error) {
          exportMessage.textContent = `Export failed: ${error.message}`;
        } finally {
          exportButton.disabled = false;
        }
      },
    },
    'Export CSV',
  );
  exportButton.title = 'The groups shown on this page, with these filters, as a CSV file';

  const columns = [
    { label: 'Module', cell: (g) => g.module },
    { label: 'Tool', class: 'nowrap', cell: (g) => h('code', {}, g.tool) },
    { label: 'Class', cell: (g) => badge(g.class, classTone(g.class)) },
    { label: 'State', cell: (g) => badge(g.state, g.state === 'open' ? 'bad' : 'good') },
    {
      label: 'Seen',
      cell: (g) => [
        h(
          'div',
          { class: 'seen-count' },
          `${fmtNum(g.count)} × in ${plural(g.ticks, 'tick')} by ${plural(g.personas, 'persona')}`,
        ),
        seenBy(g),
      ],
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
      personaSelect,
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
      h('span', { class: 'toolbar-end' }, exportButton, ' ', exportMessage),
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
          ? 'No persona mistakes in this range: they are calls a persona got wrong on its own (invalid input), kept apart from the app’s findings.'
          : emptyFindings(Boolean(state || cls || module || persona), persona),
      }),
      pager({ offset, total: report.total, label: rangeLabel(offset, report, 'groups'), go }),
    ),
  );
}
