import { AppConfig, loadConfig } from '../../src/config/app-config.js';
import { UsersService } from '../../src/auth/users/users.service.js';
import { PersonaAuditService } from '../../src/personas/audit/persona-audit.service.js';
import { PersonaMemoryService } from '../../src/personas/audit/persona-memory.service.js';
import { DailyBudgetService } from '../../src/runner/cost/daily-budget.service.js';
import { AnthropicLlmClient } from '../../src/runner/brains/anthropic-llm.client.js';
import { AnthropicBrain } from '../../src/runner/brains/anthropic.brain.js';
import { PersonaScheduleService } from '../../src/personas/schedule/persona-schedule.service.js';
import { RunnerEvents } from '../../src/runner/runner.events.js';
import { RunnerMetrics } from '../../src/runner/runner.metrics.js';
import { TickPipeline } from '../../src/runner/tick/tick.pipeline.js';
import { InProcessTickStore } from '../../src/runner/tick/in-process-tick.store.js';
import { FakeAnthropic, held, message, text, toolUse } from '../support/fake-anthropic.js';
import { http } from '../support/http.js';
import type { TestApp } from '../support/test-app.js';
import { createPersona } from '../support/personas.js';
import { waitFor } from '../support/wait-for.js';
import {
  actionsOf,
  bootRunnerApp,
  parkAllPersonas,
  personaRow,
  runner,
  runnerPersona,
  ticksOf,
} from './runner.fixtures.js';
import { closeRunnerApp, expectBackedOff } from '../support/runner-app.js';

const LEASE_MS = 5000;

describe('runner leases, kills and fencing', () => {
  let t: TestApp;
  let fake: FakeAnthropic;

  beforeAll(async () => {
    fake = await FakeAnthropic.start();
    t = await bootRunnerApp({
      PERSONA_BRAIN: 'scripted',
      RUNNER_LEASE_MS: String(LEASE_MS),
      TICK_TIMEOUT_MS: '4000',
      // leases and fencing count the persona's calls one by one: no oracle probes between them
      ORACLE_MAX_PROBES: '0',
    });
  });
  afterAll(() => closeRunnerApp(t, fake));
  beforeEach(() => parkAllPersonas(t));

  it('should keep the k actions of a tick killed after k tool calls and not call it ok', async () => {
    const persona = await createPersona(t, runnerPersona({ moduleMix: { todo: 5, notes: 5 } }));
    const k = 2;
    const stop = t.app.get(RunnerEvents).onAction((event) => {
      if (event.personaId === persona.userId && event.seq === k) runner(t).abortInFlight('killed mid-tick');
    });
    try {
      const [result] = (await runner(t).runDue()).results;
      expect(result.status).toBe('failed');
      expect(result.error).toContain('killed mid-tick');
      expect(result.toolCalls).toBe(k);
    } finally {
      stop();
    }
    const [tick] = await ticksOf(t, persona.userId);
    expect(tick.status).not.toBe('ok');
    expect(tick.tool_calls).toBe(k);
    const actions = await actionsOf(t, tick.id);
    expect(actions.map((a: { seq: number }) => a.seq)).toEqual([1, 2]);

    // a stopped tick is not the persona's failure: lease released, still due, picked up next firing
    const after = await personaRow(t, persona.userId);
    expect(after).toMatchObject({ lease_token: null, consecutive_failures: 0, next_due_at: null });
    const [again] = (await runner(t).runDue()).results;
    expect(again).toMatchObject({ personaId: persona.userId, status: 'ok' });
  });

  it('should let another runner take over once a frozen runner’s lease expires, and fence the late finisher', async () => {
    const persona = await createPersona(t, runnerPersona({ moduleMix: { todo: 1 } }));
    const claims = t.app.get(PersonaScheduleService);

    // a runner that froze mid-tick: it claimed with a 5 s lease, made k calls, then hung far longer
    const frozenConfig = loadConfig({
      ...process.env,
      PORT: String(t.port),
      ANTHROPIC_API_KEY: 'sk-ant-frozen',
      ANTHROPIC_MODEL: 'claude-test-model',
      ANTHROPIC_BASE_URL: fake.url,
      ANTHROPIC_MAX_RETRIES: '0',
      TICK_TIMEOUT_MS: '60000',
      RUNNER_LEASE_MS: '120000',
      ORACLE_MAX_PROBES: '0',
    });
    const frozenBrain = new AnthropicBrain(frozenConfig, new AnthropicLlmClient(frozenConfig));
    const frozenPipeline = new TickPipeline(
      frozenConfig,
      new InProcessTickStore(
        claims,
        t.app.get(PersonaAuditService),
        t.app.get(PersonaMemoryService),
        t.app.get(DailyBudgetService),
      ),
      t.app.get(RunnerMetrics),
      t.app.get(RunnerEvents),
    );
    const freeze = held();
    fake.script(
      message([toolUse('todo_create', { title: 'Write the incident report' })]),
      message([toolUse('todo_list', {})]),
      freeze.reply,
      message([text('not JSON')]),
      message([text('still not JSON')]),
    );
    const [claim] = await claims.claimDue('frozen-runner', LEASE_MS, 1);
    expect(claim.userId).toBe(persona.userId);
    const frozenRun = frozenPipeline.run(claim, frozenBrain, t.url, new AbortController().signal);

    const oldTickId = await waitFor('the frozen tick to record 2 actions', async () => {
      const [tick] = await ticksOf(t, persona.userId);
      return tick && (await actionsOf(t, tick.id)).length === 2 ? (tick.id as string) : undefined;
    });

    // while the lease is live nobody else touches the persona
    expect((await runner(t).runDue()).ticks).toBe(0);

    // the lease lapses (database clock); the next firing takes the persona over
    await waitFor(
      'the lease to expire',
      async () =>
        (
          await t.dataSource.query(
            `SELECT lease_expires_at < now() AS gone FROM personas WHERE user_id = $1`,
            [persona.userId],
          )
        )[0].gone,
      LEASE_MS + 3000,
    );
    const takeover = await runner(t).runDue();
    expect(takeover.results).toHaveLength(1);
    expect(takeover.results[0]).toMatchObject({ personaId: persona.userId, status: 'ok', recorded: true });
    const newTickId = takeover.results[0].tickId;

    const ticks = await ticksOf(t, persona.userId);
    const oldTick = ticks.find((x: { id: string }) => x.id === oldTickId);
    const newTick = ticks.find((x: { id: string }) => x.id === newTickId);
    expect(oldTick.status).toBe('failed');
    expect(oldTick.error).toContain('lease expired');
    expect(newTick.status).toBe('ok');
    const settled = await personaRow(t, persona.userId);
    expect(Number(settled.due_in_s)).toBeGreaterThan(23.9 * 3600);

    // the frozen runner's k actions are kept; re-posting them under its lapsed lease is refused
    // (409: fenced, since the lease was taken over) and writes nothing new
    const oldActions = await actionsOf(t, oldTickId);
    expect(oldActions).toHaveLength(2);
    const repost = await http(t.url, 'POST', `/api/v1/personas/internal/${persona.userId}/actions`, {
      headers: { 'X-Service-Key': t.app.get(AppConfig).serviceKey },
      body: {
        leaseToken: claim.leaseToken,
        actions: oldActions.map((a: Record<string, unknown>) => ({
          tickId: a.tick_id,
          seq: a.seq,
          toolName: a.tool_name,
          inputHash: a.input_hash,
          result: a.result,
          errorKind: a.error_kind ?? undefined,
          errorMessage: a.error_message ?? undefined,
          latencyMs: a.latency_ms,
        })),
      },
    });
    expect(repost.status).toBe(409);
    expect(repost.body.message).toContain('lease token is not the current lease');
    expect(await actionsOf(t, oldTickId)).toHaveLength(2);

    // the frozen runner wakes up and finishes late: its lease token is stale, nothing is overwritten
    freeze.release(message([text('Done, finally.')]));
    const late = await frozenRun;
    expect(late.recorded).toBe(false);
    const after = await ticksOf(t, persona.userId);
    expect(after.find((x: { id: string }) => x.id === oldTickId)).toMatchObject({ status: 'failed' });
    expect(after.find((x: { id: string }) => x.id === newTickId)).toMatchObject({ status: 'ok' });
    const finalRow = await personaRow(t, persona.userId);
    expect(finalRow.next_due_at).toEqual(settled.next_due_at);
    expect(finalRow.consecutive_failures).toBe(0);

    // and the fencing holds for any finish attempt with the old token
    expect(
      await claims.finishTick({
        personaId: persona.userId,
        leaseToken: claim.leaseToken,
        tickId: newTickId!,
        status: 'failed',
        toolCalls: 0,
        tokensIn: 0,
        tokensOut: 0,
        costUsd: 0,
        error: 'late',
        ratingError: null,
        schedule: { nextDueAt: new Date(), consecutiveFailures: 9 },
        active: false,
      }),
    ).toBe(false);
    expect((await personaRow(t, persona.userId)).consecutive_failures).toBe(0);
  });

  it('should back a persona off whose login fails instead of re-running it every firing', async () => {
    const persona = await createPersona(t, runnerPersona());
    await t.app.get(UsersService).setPassword(persona.userId, 'Someone-changed-it-2024!');

    const [first] = (await runner(t).runDue()).results;
    expect(first.status).toBe('failed');
    expect(first.error).toContain('login failed: 401');
    await expectBackedOff(t, persona.userId, 1);

    // the next firings leave it alone
    expect((await runner(t).runDue()).ticks).toBe(0);

    // once its backoff has passed it is tried again, and the wait doubles
    await t.dataSource.query(
      `UPDATE personas SET next_due_at = now() - interval '1 second' WHERE user_id = $1`,
      [persona.userId],
    );
    const [second] = (await runner(t).runDue()).results;
    expect(second.status).toBe('failed');
    await expectBackedOff(t, persona.userId, 2);
    expect(await ticksOf(t, persona.userId)).toHaveLength(2);
  });
});
