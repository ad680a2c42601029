import { AnthropicBrain } from '../../src/runner/brains/anthropic.brain.js';
import { message, text, toolUse } from '../support/fake-anthropic.js';
import type { FakeAnthropic } from '../support/fake-anthropic.js';
import { createAdmin } from '../support/factories.js';
import { http } from '../support/http.js';
import type { TestApp } from '../support/test-app.js';
import { createPersona } from '../support/personas.js';
import {
  actionsOf,
  feedbackOf,
  parkAllPersonas,
  personaRow,
  runner,
  runnerPersona,
  ticksOf,
} from './runner.fixtures.js';
import { bootAnthropicRunner, closeRunnerApp } from '../support/runner-app.js';

/** 1000 in / 50 out at 3 / 15 USD per million: $0.00375 per call. */
const CALL = { input_tokens: 1000, output_tokens: 50 };
const CALL_USD = 0.00375;
/** Far above anything the other suites spend today, so only this suite's own tick reaches it. */
const DAILY_BUDGET_USD = 1000;

describe(`${AnthropicBrain.name} budgets`, () => {
  let fake: FakeAnthropic;
  let t: TestApp;

  beforeAll(async () => {
    ({ t, fake } = await bootAnthropicRunner({
      ANTHROPIC_PRICE_IN_PER_MTOK: '3',
      ANTHROPIC_PRICE_OUT_PER_MTOK: '15',
      // two day turns fit (0.00375 + 0.00375 + reserve 0.004 ≤ 0.012), a third would not
      TICK_BUDGET_USD: '0.012',
      TICK_BUDGET_RESERVE_USD: '0.004',
      DAILY_BUDGET_USD: String(DAILY_BUDGET_USD),
      TICK_TIMEOUT_MS: '20000', // no tick here is meant to time out: room for a loaded machine
      // the suite tests the budget; the engine's probes could stretch a 5 s tick on a loaded machine
      ORACLE_MAX_PROBES: '0',
    }));
  });
  afterAll(() => closeRunnerApp(t, fake));
  beforeEach(async () => {
    fake.reset();
    runner(t).resume();
    await parkAllPersonas(t);
  });

  it('should stop a tick at TICK_BUDGET_USD as budget_exceeded, keeping its calls and the rating turn', async () => {
    const persona = await createPersona(t, runnerPersona());
    fake.script(
      message([toolUse('todo_create', { title: 'Budget day task' })], { usage: CALL }),
      message([toolUse('todo_list', {})], { usage: CALL }),
    );
    // a third day turn would get another tool call; the rating turn gets the rating
    fake.fallback = (request) =>
      JSON.stringify(request.body.messages.at(-1).content).includes('Your day in the app is over')
        ? message(
            [
              text(
                JSON.stringify({
                  ratings: [{ module: 'todo', rating: 4, notes: 'worked until I had to stop' }],
                }),
              ),
            ],
            { usage: CALL },
          )
        : message([toolUse('notes_create', { content: 'never asked for' })], { usage: CALL });
    const [result] = (await runner(t).runDue()).results;
    expect(result).toMatchObject({ status: 'budget_exceeded', toolCalls: 2, ratings: 1 });

    // two day turns, then the rating turn (the reserve): no third day turn
    const requests = fake.messageRequests();
    expect(requests).toHaveLength(3);
    expect(JSON.stringify(requests[2].body.messages.at(-1).content)).toContain('Your day in the app is over');

    const [tick] = await ticksOf(t, persona.userId);
    expect(tick).toMatchObject({
      status: 'budget_exceeded',
      tool_calls: 2,
      tokens_in: 3000,
      tokens_out: 150,
    });
    expect(tick.error).toContain('tick budget reached');
    expect(tick.error).toContain('before turn 3');
    expect(Number(tick.cost_usd)).toBeCloseTo(3 * CALL_USD, 6);
    const actions = (await actionsOf(t, tick.id)).filter((a: { origin: string }) => a.origin === 'brain');
    expect(actions.map((a: { tool_name: string }) => a.tool_name)).toEqual(['todo.create', 'todo.list']);
    const feedback = await feedbackOf(t, tick.id);
    expect(feedback.map((f: { module: string; rating: number }) => [f.module, f.rating])).toEqual([
      ['todo', 4],
    ]);
    // not the persona's failure: no backoff
    const after = await personaRow(t, persona.userId);
    expect(after.consecutive_failures).toBe(0);
    expect(Number(after.due_in_s)).toBeGreaterThan(23.9 * 3600);
  });

  it('should pause the anthropic brain once DAILY_BUDGET_USD is spent and resume it the next day by the database clock', async () => {
    const admin = await createAdmin(t);
    const spender = await createPersona(t, runnerPersona({ name: 'Big Spender' }));
    await parkAllPersonas(t);
    // today's spend reaches the cap (a tick that started today by the database's clock)
    const [spent] = await t.dataSource.query(
      `INSERT INTO persona_ticks (persona_id, status, brain, model, started_at, finished_at, cost_usd)
       VALUES ($1, 'ok', 'anthropic', 'claude-test', now(), now(), $2) RETURNING id`,
      [spender.userId, DAILY_BUDGET_USD],
    );
    try {
      const waiting = await createPersona(t, runnerPersona({ name: 'Waits Till Tomorrow' }));
      fake.script(message([text('Nothing to do today.')]));
      const skipped = await runner(t).runDue();
      expect(skipped).toMatchObject({ ticks: 0, skippedReason: 'brain-paused' });
      expect(fake.messageRequests()).toHaveLength(0);

      const state = await http(t.url, 'GET', '/api/v1/personas/admin/runner', { token: admin.accessToken });
      expect(state.body.brain).toMatchObject({ name: 'anthropic', paused: true });
      expect(state.body.brain.pausedReason).toContain('daily budget reached');
      const health = await http(t.url, 'GET', '/health');
      expect(health.body.info.dailyBudget).toMatchObject({ budgetUsd: DAILY_BUDGET_USD, paused: true });
      expect(health.body.info.dailyBudget.spentTodayUsd).toBeGreaterThanOrEqual(DAILY_BUDGET_USD);
      expect(health.body.info.runner).toMatchObject({ brainPaused: true });
      const dayStart = new Date(health.body.info.dailyBudget.resumesAt);
      expect(dayStart.getUTCHours()).toBe(0);
      expect(dayStart.getTime()).toBeGreaterThan(Date.now());
      const metrics = await fetch(`${t.url}/metrics`).then((r) => r.text());
      expect(metrics).toMatch(/^persona_llm_daily_budget_paused 1$/m);
      expect(metrics).toMatch(/^persona_llm_daily_budget_usd 1000$/m);

      // an admin resume does not lift it: the money is still spent today
      await http(t.url, 'POST', '/api/v1/personas/admin/runner/resume', { token: admin.accessToken });
      expect((await runner(t).runDue()).skippedReason).toBe('brain-paused');
      const waited = await personaRow(t, waiting.userId);
      expect(waited.next_due_at).toBeNull();

      // the next day by the database's clock: the spend is yesterday's now
      await t.dataSource.query(
        `UPDATE persona_ticks SET started_at = started_at - interval '1 day', finished_at = finished_at - interval '1 day'
          WHERE id = $1`,
        [spent.id],
      );
      const [resumed] = (await runner(t).runDue()).results;
      expect(resumed).toMatchObject({ personaId: waiting.userId, status: 'ok' });
      const healthAfter = await http(t.url, 'GET', '/health');
      expect(healthAfter.body.info.dailyBudget.paused).toBe(false);
      expect(healthAfter.body.info.dailyBudget.spentTodayUsd).toBeLessThan(DAILY_BUDGET_USD);
    } finally {
      await t.dataSource.query(`DELETE FROM persona_ticks WHERE id = $1`, [spent.id]);
    }
  });
});
