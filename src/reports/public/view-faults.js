import { ApiError, del, get, post } from './api.js';
import { showPlanted } from './banner.js';
import { badge, fmtMs, fmtTime, h, replace, table } from './dom.js';

const FAULTS = '/api/v1/faults';
// the fault lab answers 403 of its own when it is off (production without FAULTS_ENABLED)
const LAB = { keepOn403: true };
const HISTORY = 20;

const classTone = (c) =>
  ({ error: 'bad', lost_write: 'bad', wrong_result: 'bad', slow: 'warn' })[c] ?? 'info';

/** A number input's value, or undefined when left empty (the defect's default applies). */
function numberOf(input) {
  const text = input.value.trim();
  return text === '' ? undefined : Number(text);
}

function plantForm(defect, onPlanted) {
  const p = defect.parameters ?? {};
  const probability = h('input', {
    type: 'number',
    name: 'probability',
    min: p.probability?.min ?? 0,
    max: p.probability?.max ?? 1,
    step: '0.05',
    placeholder: String(p.probability?.default ?? 1),
    'aria-label': `probability for ${defect.id}`,
  });
  const delay = p.delayMs
    ? h('input', {
        type: 'number',
        name: 'delayMs',
        min: p.delayMs.min,
        max: p.delayMs.max,
        step: '100',
        placeholder: String(p.delayMs.default),
        'aria-label': `delay in ms for ${defect.id}`,
      })
    : null;
  const note = h('input', {
    type: 'text',
    name: 'note',
    maxlength: 500,
    placeholder: 'note (optional)',
    'aria-label': `note for ${defect.id}`,
  });
  const message = h('p', { class: 'error', role: 'alert' });
  const submit = h('button', { type: 'submit', class: 'btn btn-primary btn-small' }, 'Plant');
  return h(
    'form',
    {
      class: 'plant-form',
      'data-defect': defect.id,
      novalidate: true,
      onsubmit: async (event) => {
        event.preventDefault();
        submit.disabled = true;
        message.textContent = '';
        const body = { defect: defect.id };
        const prob = numberOf(probability);
        if (prob !== undefined) body.probability = prob;
        if (delay) {
          const ms = numberOf(delay);
          if (ms !== undefined) body.delayMs = ms;
        }
        if (note.value.trim()) body.note = note.value.trim();
        try {
          await post(FAULTS, body, LAB);
          await onPlanted();
        } catch (error) {
          message.textContent = error.message;
          submit.disabled = false;
        }
      },
    },
    h('label', {}, 'probability ', probability),
    delay ? h('label', {}, 'delay ms ', delay) : null,
    h('label', { class: 'note-label' }, note),
    submit,
    message,
  );
}

/** A catalog entry's words the text filter searches. */
const searchable = (d) => `${d.id} ${d.class} ${d.tool} ${d.description}`.toLowerCase();

function defectItem(d, planted, onPlanted) {
  return h(
    'li',
    { class: 'defect', 'data-defect': d.id, 'data-search': searchable(d) },
    h(
      'div',
      { class: 'defect-head' },
      h('code', { class: 'defect-id' }, d.id),
      ' ',
      badge(d.class, classTone(d.class)),
      ' ',
      h('span', { class: 'muted' }, d.tool),
      planted ? [' ', badge('planted', 'warn')] : null,
    ),
    h('p', { class: 'defect-description' }, d.description),
    plantForm(d, onPlanted),
  );
}

/**
 * The catalog grouped by module, with a module select and a text filter (id, class, tool, words of
 * the description). Filtering hides entries in place, so a half-typed Plant form keeps its values;
 * the choice is kept in the address (#/faults?module=todo&q=slow) without re-rendering the page.
 */
function catalogSection(catalog, plantedIds, filter, onPlanted) {
  const modules = [...new Set(catalog.items.map((d) => d.module))].sort();
  const groups = modules.map((module) => {
    const defects = catalog.items.filter((d) => d.module === module);
    return h(
      'section',
      { class: 'defect-group', 'data-module': module },
      h('h3', {}, module, ' ', h('span', { class: 'muted' }, `(${defects.length})`)),
      h(
        'ul',
        { class: 'defects' },
        defects.map((d) => defectItem(d, plantedIds.has(d.id), onPlanted)),
      ),
    );
  });
  const none = h(
    'p',
    { class: 'empty', id: 'fault-filter-empty', hidden: true },
    'No defect matches the filter.',
  );
  const apply = () => {
    const words = filter.text.trim().toLowerCase().split(/\s+/).filter(Boolean);
    let shown = 0;
    for (const group of groups) {
      let inGroup = 0;
      for (const item of group.querySelectorAll('li.defect')) {
        const match =
          (!filter.module || group.dataset.module === filter.module) &&
          words.every((w) => item.dataset.search.includes(w));
        item.hidden = !match;
        if (match) inGroup += 1;
      }
      group.hidden = inGroup === 0;
      shown += inGroup;
    }
    none.hidden = shown > 0;
    const q = new URLSearchParams(
      Object.entries({ module: filter.module, q: filter.text.trim() }).filter(([, v]) => v),
    );
    // only while this view is the one shown: a late redraw must not take the address back
    if (/^#\/faults(\?|$)/.test(location.hash)) {
      history.replaceState(null, '', q.toString() ? `#/faults?${q}` : '#/faults');
    }
  };
  const moduleSelect = h(
    'select',
    {
      name: 'module',
      id: 'fault-module',
      onchange: (e) => {
        filter.module = e.target.value;
        apply();
      },
    },
    h('option', { value: '' }, 'all'),
    modules.map((m) => h('option', { value: m, selected: m === filter.module }, m)),
  );
  const textInput = h('input', {
    type: 'search',
    name: 'q',
    id: 'fault-filter',
    value: filter.text,
    placeholder: 'id, class, tool or words',
    'aria-label': 'Filter the defects',
    oninput: (e) => {
      filter.text = e.target.value;
      apply();
    },
  });
  const section = h(
    'section',
    { class: 'panel', id: 'fault-catalog' },
    h('h2', {}, `Catalog (${catalog.items.length} defects in ${modules.length} modules)`),
    h(
      'div',
      { class: 'toolbar' },
      h('label', {}, 'Module ', moduleSelect),
      h('label', {}, 'Filter ', textInput),
    ),
    none,
    groups,
  );
  apply();
  return section;
}

/**
 * #/faults?module=&q= — the fault lab: the planted faults with a Clear button, the catalog of
 * plantable defects by module with a Plant form each, and the recent history.
 */
export async function render(root, _params, query) {
  let catalog;
  let faults;
  try {
    [catalog, faults] = await Promise.all([
      get(`${FAULTS}/catalog`, undefined, LAB),
      get(FAULTS, undefined, LAB),
    ]);
  } catch (error) {
    if (error instanceof ApiError && error.status === 403) {
      replace(
        root,
        h('h1', {}, 'Fault lab'),
        h(
          'p',
          { class: 'error-box', role: 'alert' },
          h('strong', {}, 'The fault lab is off: '),
          error.message,
        ),
      );
      return;
    }
    throw error;
  }

  const filter = {
    module: (query?.get('module') ?? '').slice(0, 100),
    text: (query?.get('q') ?? '').slice(0, 100),
  };
  if (!catalog.items.some((d) => d.module === filter.module)) filter.module = '';

  const reload = async () => {
    faults = await get(FAULTS, undefined, LAB);
    draw();
  };

  const draw = () => {
    const active = faults.items.filter((f) => f.active);
    const history = faults.items.filter((f) => !f.active).slice(0, HISTORY);
    showPlanted(active.map((f) => f.defect));
    const plantedIds = new Set(active.map((f) => f.defect));
    const clearButton = (f) => {
      const message = h('span', { class: 'error', role: 'alert' });
      const button = h(
        'button',
        {
          type: 'button',
          class: 'btn btn-small',
          'data-fault-id': f.id,
          onclick: async () => {
            button.disabled = true;
            try {
              await del(`${FAULTS}/${encodeURIComponent(f.id)}`, LAB);
              await reload();
            } catch (error) {
              button.disabled = false;
              message.textContent = error.message;
            }
          },
        },
        'Clear',
      );
      return h('span', {}, button, ' ', message);
    };
    replace(
      root,
      h('h1', {}, 'Fault lab'),
      h(
        'p',
        { class: 'muted' },
        'Plant a known defect in the app, let the personas run, and watch the Findings view: a group that matches a planted defect is marked. Every instance on this database applies a plant within seconds; clear it when done.',
      ),
      h(
        'section',
        { class: 'panel', id: 'planted-faults' },
        h('h2', {}, `Planted now (${active.length})`),
        table(
          [
            { label: 'Defect', cell: (f) => h('code', {}, f.defect) },
            { label: 'Class', cell: (f) => badge(f.class, classTone(f.class)) },
            { label: 'Tool', cell: (f) => h('code', {}, f.tool) },
            { label: 'Probability', class: 'num', cell: (f) => String(f.probability) },
            { label: 'Delay', class: 'num', cell: (f) => (f.delayMs === null ? '—' : fmtMs(f.delayMs)) },
            { label: 'Note', cell: (f) => f.note ?? '' },
            { label: 'Planted', cell: (f) => fmtTime(f.plantedAt) },
            { label: '', cell: (f) => clearButton(f) },
          ],
          active,
          {
            empty:
              'Nothing is planted: the app behaves as built. Plant a defect from the catalog below, then run a tick.',
          },
        ),
      ),
      catalogSection(catalog, plantedIds, filter, reload),
      h(
        'section',
        { class: 'panel', id: 'fault-history' },
        h('h2', {}, 'History'),
        table(
          [
            { label: 'Defect', cell: (f) => h('code', {}, f.defect) },
            { label: 'Planted', cell: (f) => fmtTime(f.plantedAt) },
            { label: 'Cleared', cell: (f) => fmtTime(f.clearedAt) },
            { label: 'Note', cell: (f) => f.note ?? '' },
          ],
          history,
          { empty: 'No cleared faults yet: a planted defect moves here when you clear it.' },
        ),
      ),
    );
  };
  draw();
}
