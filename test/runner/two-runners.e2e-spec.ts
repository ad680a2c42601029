import { HttpAdapterHost } from '@nestjs/core';
import { AppConfig } from '../../src/config/app-config.js';
import { HealthContributors } from '../../src/observability/health-contributors.js';
import { BrainSelector } from '../../src/runner/brains/brain.selector.js';
import { PersonaScheduleService } from '../../src/personas/schedule/persona-schedule.service.js';
import { RunnerService } from '../../src/runner/runner.service.js';
import { TickPipeline } from '../../src/runner/tick/tick.pipeline.js';
import { embeddedDb } from '../support/test-app.js';
import type { TestApp } from '../support/test-app.js';
import { createPersona } from '../support/personas.js';
import { bootRunnerApp, parkAllPersonas, runnerPersona } from './runner.fixtures.js';

const PERSONAS = 40;
// the suite tests exactly-once claims; the engine's probes would make 40 ticks on the embedded
// database's one connection outlast the test under the parallel CI suites
const ENV = {
  PERSONA_BRAIN: 'scripted',
  TICK_MAX_TURNS: '1',
  PERSONA_CONCURRENCY: '4',
  ORACLE_MAX_PROBES: '0',
};

/**
 * Two runners on one database. With DATABASE_URL: two app instances, two connection pools, racing
 * for real. On the embedded database (one connection): two RunnerService instances with their own
 * instance ids inside one app, interleaving their claims on that connection.
 */
describe(`two ${RunnerService.name} instances on one database`, () => {
  const apps: TestApp[] = [];
  let a: RunnerService;
  let b: RunnerService;

  beforeAll(async () => {
    const first = await bootRunnerApp(ENV);
    apps.push(first);
    a = first.app.get(RunnerService);
    if (embeddedDb()) {
      const get = <T>(token: new (...args: never[]) => T) => first.app.get(token);
      b = new RunnerService(
        get(AppConfig),
        get(PersonaScheduleService),
        get(TickPipeline),
        get(BrainSelector),
        get(HealthContributors),
        get(HttpAdapterHost),
        'second-runner',
      );
    } else {
      const second = await bootRunnerApp(ENV);
      apps.push(second);
      b = second.app.get(RunnerService);
    }
  });
  afterAll(async () => {
    for (const t of apps.reverse()) await t.close();
  });

  it('should tick each of 40 due personas exactly once between them', async () => {
    const t = apps[0];
    await parkAllPersonas(t);
    const personas = [];
    for (let i = 0; i < PERSONAS; i += 4) {
      personas.push(
        ...(await Promise.all(
          Array.from({ length: 4 }, () =>
            createPersona(t, runnerPersona({ moduleMix: { todo: 1, notes: 1 } })),
          ),
        )),
      );
    }
    const ids = personas.map((p) => p.userId);
    expect(a.instanceId).not.toBe(b.instanceId);

    const [ra, rb] = await Promise.all([a.runDue(), b.runDue()]);

    const byA = ra.results.map((r) => r.personaId);
    const byB = rb.results.map((r) => r.personaId);
    expect(byA.length).toBeGreaterThan(0);
    expect(byB.length).toBeGreaterThan(0);
    expect(byA.filter((id) => byB.includes(id))).toEqual([]);
    expect([...byA, ...byB].sort()).toEqual([...ids].sort());
    expect([...ra.results, ...rb.results].every((r) => r.status === 'ok')).toBe(true);

    const ticks = await t.dataSource.query(
      `SELECT persona_id, count(*)::int AS n FROM persona_ticks WHERE persona_id = ANY($1::uuid[]) GROUP BY persona_id`,
      [ids],
    );
    expect(ticks).toHaveLength(PERSONAS);
    expect(ticks.every((row: { n: number }) => row.n === 1)).toBe(true);

    // nobody is due any more, for either of them
    const [again1, again2] = await Promise.all([a.runDue(), b.runDue()]);
    expect(again1.ticks + again2.ticks).toBe(0);
  });
});
