import { ApiError, get, post } from './api.js';
import { showPlanted } from './banner.js';
import { badge, fmtNum, fmtPct, fmtTime, fmtUsd, h, link, replace, statusTone, table } from './dom.js';

const RUNNER = '/api/v1/personas/admin/runner';

function card(label, value, note, id, small = false) {
  return h(
    'div',
    { class: 'card', id },
    h('div', { class: 'card-label' }, label),
    h('div', { class: small ? 'card-value card-value-small' : 'card-value' }, value),
    note ? h('div', { class: 'card-note' }, note) : null,
  );
}

/** The runner card: state plus the pause/resume switch (POST …/runner/pause | resume). */
function runnerCard(state) {
  const box = h('section', { class: 'panel runner', id: 'runner' });
  const draw = (runner, problem) => {
    if (!runner) {
      replace(
        box,
        h('h2', {}, 'Runner'),
        h('p', { class: 'empty' }, problem ?? 'The runner API is not available.'),
      );
      return;
    }
    const paused = Boolean(runner.paused);
    const enabled = runner.enabled !== false;
    const label = paused ? 'Paused' : enabled ? 'Running' : 'Idle';
    const message = h('p', { class: 'error', role: 'alert' });
    const toggle = h(
      'button',
      {
        type: 'button',
        class: `switch ${paused ? 'off' : 'on'}`,
        role: 'switch',
        id: 'runner-switch',
        'aria-checked': String(!paused),
        'aria-label': paused ? 'Resume the runner' : 'Pause the runner',
        onclick: async () => {
          toggle.disabled = true;
          try {
            const next = await post(`${RUNNER}/${paused ? 'resume' : 'pause'}`);
            draw(next && typeof next.paused === 'boolean' ? next : await get(RUNNER));
          } catch (error) {
            toggle.disabled = false;
            message.textContent = error.message;
          }
        },
      },
      h('span', { class: 'knob' }),
      h('span', { class: 'switch-text' }, paused ? 'Paused: resume' : 'Running: pause'),
    );
    const brain = runner.brain;
    replace(
      box,
      h(
        'div',
        { class: 'runner-head' },
        h('h2', {}, 'Runner'),
        badge(label, paused ? 'warn' : enabled ? 'good' : 'neutral'),
      ),
      h(
        'dl',
        { class: 'facts' },
        h('dt', {}, 'In flight'),
        h('dd', {}, fmtNum(runner.inFlight ?? 0)),
        h('dt', {}, 'Last run'),
        h('dd', {}, fmtTime(runner.lastRunAt)),
        brain
          ? [h('dt', {}, 'Brain'), h('dd', {}, `${brain.name}${brain.model ? ` · ${brain.model}` : ''}`)]
          : null,
        runner.cron ? [h('dt', {}, 'Schedule'), h('dd', {}, h('code', {}, runner.cron))] : null,
      ),
      toggle,
      enabled
        ? null
        : h(
            'p',
            { class: 'muted' },
            'Scheduling is off (RUNNER_ENABLED=false): only “run now” ticks happen.',
          ),
      brain?.paused
        ? h(
            'p',
            { class: 'error-box' },
            `The brain paused itself: ${brain.pausedReason ?? 'no reason given'}`,
          )
        : null,
      message,
    );
    box.dataset.paused = String(paused);
  };
  draw(state.runner, state.problem);
  return box;
}

export async function render(root) {
  const [overview, runner, ticks, modules] = await Promise.all([
    get('/api/v1/reports/overview'),
    get(RUNNER).then(
      (r) => ({ runner: r }),
      (error) => {
        if (error instanceof ApiError && (error.status === 401 || error.status === 403)) throw error;
        return { runner: null, problem: `The runner API answered: ${error.message}` };
      },
    ),
    get('/api/v1/reports/ticks', { limit: 10 }),
    get('/api/v1/reports/modules', { limit: 200 }),
  ]);
  const regressed = modules.items.filter((m) => m.regression.regressed);
  showPlanted(overview.plantedFaults?.defects ?? []);
  replace(
    root,
    h('h1', {}, 'Overview'),
    h(
      'div',
      { class: 'cards', id: 'overview-cards' },
      card('Personas', fmtNum(overview.personas), null, 'card-personas'),
      card(
        'Open findings',
        link('#/findings?state=open', fmtNum(overview.openFindings)),
        'finding groups the personas still see (28 days)',
        'card-findings',
      ),
      card(
        'Ticks today',
        fmtNum(overview.ticksToday),
        `${fmtNum(overview.failedTicksToday)} failed · ${fmtNum(overview.runningTicks)} running`,
        'card-ticks',
      ),
      card(
        'Error rate today',
        fmtPct(overview.errorRateToday),
        `${fmtNum(overview.toolErrorsToday)} of ${fmtNum(overview.toolCallsToday)} tool calls`,
        'card-errors',
      ),
      card(
        'Cost today',
        overview.dailyBudgetUsd == null
          ? fmtUsd(overview.costUsdToday)
          : `${fmtUsd(overview.costUsdToday)} of ${fmtUsd(overview.dailyBudgetUsd)}`,
        `${fmtNum(overview.tokensInToday)} in (${fmtNum(overview.cacheReadTokensToday)} cached read · ` +
          `${fmtNum(overview.cacheWriteTokensToday)} cache write · ${fmtNum(overview.uncachedInputTokensToday)} uncached) · ` +
          `${fmtNum(overview.tokensOutToday)} out tokens`,
        'card-cost',
      ),
      card(
        'Last tick',
        fmtTime(overview.lastTickAt),
        `“today” = since ${fmtTime(overview.dayStart)}`,
        'card-last',
        true,
      ),
    ),
    h(
      'div',
      { class: 'columns' },
      runnerCard(runner),
      h(
        'section',
        { class: 'panel' },
        h('h2', {}, 'Regressed modules'),
        regressed.length === 0
          ? h('p', { class: 'empty' }, 'No module regressed in the last 7 days.')
          : h(
              'ul',
              { class: 'plain' },
              regressed.map((m) =>
                h(
                  'li',
                  {},
                  badge('▼', 'bad'),
                  ' ',
                  link('#/modules', m.module),
                  ` ${m.regression.prev21.avg?.toFixed(2)} → ${m.regression.last7.avg?.toFixed(2)}`,
                ),
              ),
            ),
      ),
    ),
    h(
      'section',
      { class: 'panel' },
      h('div', { class: 'panel-head' }, h('h2', {}, 'Latest ticks'), link('#/ticks', 'All ticks →')),
      table(
        [
          { label: 'Started', cell: (t) => link(`#/ticks/${t.id}`, fmtTime(t.startedAt)) },
          {
            label: 'Persona',
            cell: (t) => link(`#/personas/${t.personaId}`, t.personaName ?? t.personaEmail),
          },
          { label: 'Status', cell: (t) => badge(t.status, statusTone(t.status)) },
          {
            label: 'Calls',
            class: 'num',
            cell: (t) => `${fmtNum(t.toolCalls)}${t.errorCount ? ` (${t.errorCount} failed)` : ''}`,
          },
          {
            label: 'Rating',
            class: 'num',
            cell: (t) => (t.avgRating === null ? '—' : t.avgRating.toFixed(1)),
          },
        ],
        ticks.items,
        {
          empty: [
            'No ticks yet. The runner plays each persona when it is due; to see one now, open a ',
            link('#/personas', 'persona'),
            ' and press “Run a tick now”.',
          ],
        },
      ),
    ),
  );
}
