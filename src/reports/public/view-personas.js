import { get, post } from './api.js';
import { showNotice } from './banner.js';
import { badge, fmtNum, fmtPct, fmtRating, fmtTime, h, link, replace, statusTone, table } from './dom.js';
import { tickList } from './view-ticks.js';

const ADMIN = '/api/v1/personas/admin';

/** `notTicking.reason` in words (the API's `detail` says the rest: what holds it back, until when). */
const NOT_TICKING = {
  disabled: 'disabled',
  paused: 'runner paused',
  brain_paused: 'brain paused',
  weekday_rule: 'weekday rule',
  backoff: 'backing off after failures',
  overdue: 'overdue',
};
const reasonText = (reason) => NOT_TICKING[reason] ?? String(reason ?? 'not ticking').replaceAll('_', ' ');

/** When the persona ticks next, or why it does not tick when one would expect it to. */
function nextDue(p) {
  if (p.notTicking) {
    return h(
      'span',
      { class: 'not-ticking', 'data-reason': p.notTicking.reason },
      badge(reasonText(p.notTicking.reason), 'warn'),
      p.nextDueAt ? ` · next ${fmtTime(p.nextDueAt)}` : '',
      p.notTicking.detail ? h('span', { class: 'not-ticking-detail muted' }, p.notTicking.detail) : null,
    );
  }
  if (!p.nextDueAt) return h('span', { class: 'next-due' }, 'due now');
  const past = new Date(p.nextDueAt).getTime() <= Date.now();
  return h('span', { class: 'next-due' }, past ? `due since ${fmtTime(p.nextDueAt)}` : fmtTime(p.nextDueAt));
}

/** #/personas — the personas admin list, one page at a time. */
export async function renderList(root) {
  const items = [];
  let cursor = null;
  const listBox = h('div');
  const more = h(
    'button',
    { type: 'button', class: 'btn', hidden: true, onclick: () => load() },
    'More personas',
  );
  async function load() {
    more.disabled = true;
    const page = await get(ADMIN, { limit: 50, cursor });
    items.push(...page.items);
    cursor = page.nextCursor;
    replace(
      listBox,
      table(
        [
          { label: 'Persona', cell: (p) => link(`#/personas/${p.userId}`, p.name ?? p.email) },
          { label: 'Archetype', cell: (p) => p.archetype },
          { label: 'Cadence', cell: (p) => p.tickCadence },
          { label: 'Next due', cell: (p) => nextDue(p) },
          { label: 'Calls 7 d', class: 'num', cell: (p) => fmtNum(p.actions7d) },
          {
            label: 'Errors 7 d',
            class: 'num',
            cell: (p) => (p.actions7d ? fmtPct(p.errors7d / p.actions7d) : '—'),
          },
          { label: 'Rating 7 d', class: 'num', cell: (p) => fmtRating(p.avgRating7d) },
          {
            label: 'Last tick',
            cell: (p) =>
              p.lastTick
                ? [badge(p.lastTick.status, statusTone(p.lastTick.status)), ' ', fmtTime(p.lastTick.at)]
                : '—',
          },
        ],
        items,
        {
          empty:
            'No personas yet. Seed the catalog with npm run seed:personas (or start the server with RUNNER_DEMO=true), or create one with POST /api/v1/personas/admin.',
          rowAttrs: (p) => ({ 'data-persona': p.userId }),
        },
      ),
    );
    more.hidden = !cursor;
    more.disabled = false;
  }
  replace(root, h('h1', {}, 'Personas'), h('section', { class: 'panel' }, listBox, more));
  await load();
}

/** #/personas/:id — prompt, module mix, ratings by module, recent ticks (linking to their trajectories). */
export async function renderDetail(root, params) {
  const detail = await get(`${ADMIN}/${encodeURIComponent(params.id)}`);
  const p = detail.persona;
  const mix = Object.entries(p.moduleMix ?? {}).sort((a, b) => b[1] - a[1]);
  const total = mix.reduce((a, [, w]) => a + w, 0) || 1;
  const ticks = tickList(
    { persona: p.userId },
    {
      withPersona: false,
      limit: 20,
      empty: 'No ticks yet: press “Run a tick now” above, or wait until the persona is due.',
    },
  );
  const runResult = h('p', { class: 'muted', role: 'status' });
  const runButton = h(
    'button',
    {
      type: 'button',
      class: 'btn',
      onclick: async () => {
        runButton.disabled = true;
        runResult.textContent = 'Running a tick…';
        try {
          const summary = await post(`${ADMIN}/${encodeURIComponent(p.userId)}/tick`);
          // the notice sits outside the view: it outlives this page's re-render, until dismissed
          showNotice(
            summary?.status === 'ok' ? 'good' : 'warn',
            `Tick finished for ${p.name ?? p.email}: `,
            badge(summary?.status ?? 'done', statusTone(summary?.status)),
            summary?.tickId
              ? [' ', link(`#/ticks/${encodeURIComponent(summary.tickId)}`, 'Open its trajectory →')]
              : null,
          );
          await renderDetail(root, params);
        } catch (error) {
          runResult.textContent = error.message;
          runButton.disabled = false;
        }
      },
    },
    'Run a tick now',
  );
  replace(
    root,
    h('p', { class: 'crumbs' }, link('#/personas', '← Personas')),
    h('h1', {}, p.name ?? p.email),
    h(
      'dl',
      { class: 'facts wide' },
      h('dt', {}, 'Email'),
      h('dd', {}, p.email),
      h('dt', {}, 'Archetype'),
      h('dd', {}, p.archetype),
      h('dt', {}, 'Cadence'),
      h('dd', {}, `${p.tickCadence} · ${p.timezone}`),
      h('dt', {}, 'Last active'),
      h('dd', {}, fmtTime(p.lastActiveAt)),
      h('dt', {}, 'Next due'),
      h('dd', { id: 'persona-next-due' }, nextDue(p)),
    ),
    h('div', { class: 'actions' }, runButton, runResult),
    h(
      'div',
      { class: 'columns' },
      h(
        'section',
        { class: 'panel' },
        h('h2', {}, 'System prompt'),
        h('pre', { class: 'prompt', id: 'persona-prompt' }, p.systemPrompt),
      ),
      h(
        'section',
        { class: 'panel' },
        h('h2', {}, 'Module mix'),
        h(
          'ul',
          { class: 'bars', id: 'persona-mix' },
          mix.map(([module, weight]) =>
            h(
              'li',
              {},
              h('span', { class: 'bar-label' }, module),
              h(
                'span',
                { class: 'bar' },
                h('span', { class: 'bar-fill', style: `width:${Math.round((weight / total) * 100)}%` }),
              ),
              h('span', { class: 'bar-value' }, `${Math.round((weight / total) * 100)}%`),
            ),
          ),
        ),
        h('h2', {}, 'Ratings by module'),
        table(
          [
            { label: 'Module', cell: (f) => f.module },
            { label: 'Average', class: 'num', cell: (f) => fmtRating(f.avgRating) },
            { label: 'Ratings', class: 'num', cell: (f) => fmtNum(f.count) },
          ],
          detail.feedbackByModule ?? [],
          { empty: 'No ratings yet: the persona rates each module it used at the end of a tick.' },
        ),
      ),
    ),
    h('section', { class: 'panel' }, h('h2', {}, 'Recent ticks'), ticks.element),
  );
  await ticks.load();
}
