import { randomUUID } from 'node:crypto';
import { loadConfig } from '../../src/config/app-config.js';
import { ConfigError } from '../../src/config/config.error.js';
import { RunnerAdminController } from '../../src/runner/runner-admin.controller.js';
import { PersonaScheduleService } from '../../src/personas/schedule/persona-schedule.service.js';
import { createAdmin, registerUser } from '../support/factories.js';
import type { TestUser } from '../support/factories.js';
import { http } from '../support/http.js';
import type { TestApp } from '../support/test-app.js';
import { createPersona } from '../support/personas.js';
import {
  bootRunnerApp,
  parkAllPersonas,
  personaRow,
  runner,
  runnerPersona,
  ticksOf,
} from './runner.fixtures.js';

const BASE = '/api/v1/personas/admin';

describe(RunnerAdminController.name, () => {
  let t: TestApp;
  let admin: TestUser;
  let user: TestUser;

  beforeAll(async () => {
    t = await bootRunnerApp({ PERSONA_BRAIN: 'scripted', TICK_MAX_TURNS: '4' });
    admin = await createAdmin(t);
    user = await registerUser(t);
  });
  afterAll(async () => {
    await parkAllPersonas(t);
    await t.close();
  });
  beforeEach(() => parkAllPersonas(t));

  it('should show the runner state to admins only', async () => {
    expect((await http(t.url, 'GET', `${BASE}/runner`)).status).toBe(401);
    expect((await http(t.url, 'GET', `${BASE}/runner`, { token: user.accessToken })).status).toBe(403);
    expect((await http(t.url, 'POST', `${BASE}/runner/pause`, { token: user.accessToken })).status).toBe(403);
    const res = await http(t.url, 'GET', `${BASE}/runner`, { token: admin.accessToken });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({
      enabled: false,
      paused: false,
      stopping: false,
      inFlight: 0,
      concurrency: t.config.personaConcurrency,
      cron: t.config.runnerCron,
      brain: { name: 'scripted', model: null, paused: false, pausedReason: null },
    });
    expect(res.body.instanceId).toEqual(expect.any(String));
  });

  it('should pause and resume claiming, and show it in /health', async () => {
    const persona = await createPersona(t, runnerPersona());
    const paused = await http(t.url, 'POST', `${BASE}/runner/pause`, { token: admin.accessToken });
    expect(paused.status).toBe(200);
    expect(paused.body.paused).toBe(true);
    expect((await http(t.url, 'GET', '/health')).body.info.runner).toMatchObject({
      status: 'up',
      paused: true,
    });

    const skipped = await runner(t).runDue();
    expect(skipped).toMatchObject({ ticks: 0, skippedReason: 'paused' });
    expect(await ticksOf(t, persona.userId)).toHaveLength(0);

    const resumed = await http(t.url, 'POST', `${BASE}/runner/resume`, { token: admin.accessToken });
    expect(resumed.body.paused).toBe(false);
    const ran = await runner(t).runDue();
    expect(ran.results.map((r) => r.personaId)).toEqual([persona.userId]);
    const state = await http(t.url, 'GET', `${BASE}/runner`, { token: admin.accessToken });
    expect(state.body.lastRunSummary).toMatchObject({ ticks: 1, ok: 1 });
    expect(state.body.lastRunAt).toEqual(expect.any(String));
  });

  it('should run one persona now, due or not, and answer its tick summary', async () => {
    const persona = await createPersona(t, runnerPersona());
    await parkAllPersonas(t);
    const res = await http(t.url, 'POST', `${BASE}/${persona.userId}/tick`, { token: admin.accessToken });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({
      personaId: persona.userId,
      status: 'ok',
      brain: 'scripted',
      recorded: true,
    });
    expect(res.body.toolCalls).toBeGreaterThan(0);
    const [tick] = await ticksOf(t, persona.userId);
    expect(tick).toMatchObject({ id: res.body.tickId, status: 'ok', tool_calls: res.body.toolCalls });
    // the persona's own routes still answer next to the runner's
    const detail = await http(t.url, 'GET', `${BASE}/${persona.userId}`, { token: admin.accessToken });
    expect(detail.status).toBe(200);
    expect(detail.body.persona.userId).toBe(persona.userId);
    // the 20 newest calls of the tick: the persona's own and the oracle engine's read-backs and probes
    const recent = detail.body.recentActions as Array<{ tickId: string; origin: string }>;
    expect(recent.length).toBeGreaterThan(0);
    expect(recent.every((a) => a.tickId === res.body.tickId && ['brain', 'oracle'].includes(a.origin))).toBe(
      true,
    );
    expect(recent.filter((a) => a.origin === 'brain').length).toBeLessThanOrEqual(res.body.toolCalls);
  });

  it('should answer 404 for an unknown persona, 400 for a bad id and 409 while the persona is leased', async () => {
    const unknown = await http(t.url, 'POST', `${BASE}/${randomUUID()}/tick`, { token: admin.accessToken });
    expect(unknown.status).toBe(404);
    expect(unknown.body.message).toContain('no persona');
    const bad = await http(t.url, 'POST', `${BASE}/not-a-uuid/tick`, { token: admin.accessToken });
    expect(bad.status).toBe(400);
    expect(
      (await http(t.url, 'POST', `${BASE}/${randomUUID()}/tick`, { token: user.accessToken })).status,
    ).toBe(403);

    const persona = await createPersona(t, runnerPersona());
    const claims = t.app.get(PersonaScheduleService);
    const claim = await claims.claimOne('another-runner', 60_000, persona.userId);
    if (typeof claim === 'string') throw new Error(`claim failed: ${claim}`);
    const busy = await http(t.url, 'POST', `${BASE}/${persona.userId}/tick`, { token: admin.accessToken });
    expect(busy.status).toBe(409);
    expect(busy.body.message).toContain('lease');
    expect(await ticksOf(t, persona.userId)).toHaveLength(0);

    await claims.release(persona.userId, claim.leaseToken);
    const free = await http(t.url, 'POST', `${BASE}/${persona.userId}/tick`, { token: admin.accessToken });
    expect(free.status).toBe(200);
    expect((await personaRow(t, persona.userId)).lease_token).toBeNull();
  });

  it('should export tick, tool-call, duration and in-flight metrics', async () => {
    await createPersona(t, runnerPersona());
    await runner(t).runDue();
    const metrics = (await http(t.url, 'GET', '/metrics')).text;
    expect(metrics).toMatch(/persona_ticks_total\{status="ok",brain="scripted"\} [1-9]/);
    expect(metrics).toMatch(/persona_tool_calls_total\{outcome="ok"\} [1-9]/);
    expect(metrics).toMatch(/persona_tick_duration_seconds_bucket\{le="[^"]+",status="ok"\}/);
    expect(metrics).toMatch(/persona_ticks_in_flight 0/);
  });

  it('should refuse a lease that is not longer than the tick timeout', () => {
    expect(() => loadConfig({ ...process.env, RUNNER_LEASE_MS: '60000', TICK_TIMEOUT_MS: '60000' })).toThrow(
      ConfigError,
    );
    expect(() => loadConfig({ ...process.env, RUNNER_LEASE_MS: '60000', TICK_TIMEOUT_MS: '60000' })).toThrow(
      /RUNNER_LEASE_MS must be longer than TICK_TIMEOUT_MS/,
    );
  });
});
