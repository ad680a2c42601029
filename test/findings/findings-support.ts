import { HttpAdapterHost } from '@nestjs/core';
import { loadConfig } from '../../src/config/app-config.js';
import { HealthContributors } from '../../src/observability/health-contributors.js';
import { loadCatalog } from '../../src/personas/catalog/catalog.js';
import { PersonaScheduleService } from '../../src/personas/schedule/persona-schedule.service.js';
import { PersonaSeedService } from '../../src/personas/catalog/persona-seed.service.js';
import { AnthropicBrain } from '../../src/runner/brains/anthropic.brain.js';
import { BrainSelector } from '../../src/runner/brains/brain.selector.js';
import { ScriptedBrain } from '../../src/runner/brains/scripted/scripted.brain.js';
import { RunnerService } from '../../src/runner/runner.service.js';
import { TickPipeline } from '../../src/runner/tick/tick.pipeline.js';
import { RUNNER_TEST_ENV } from '../runner/runner.fixtures.js';
import type { TestApp } from '../support/test-app.js';

/** A catalog persona as the findings tests tick it. */
export interface SeededCatalogPersona {
  userId: string;
  email: string;
  name: string;
  archetype: string;
  cadence: string;
  modules: string[];
}

/** Seeds the persona catalog the way RUNNER_DEMO does at boot (idempotent) and answers its personas. */
export async function seedCatalogPersonas(t: TestApp): Promise<SeededCatalogPersona[]> {
  const report = await t.app.get(PersonaSeedService).seedCatalog();
  if (report.failed > 0) throw new Error(`seeding the catalog failed: ${JSON.stringify(report)}`);
  const entries = new Map(loadCatalog().personas.map((p) => [p.email, p]));
  return report.personas.map((s) => {
    const entry = entries.get(s.email)!;
    return {
      userId: s.userId!,
      email: s.email,
      name: entry.name,
      archetype: entry.archetype,
      cadence: entry.tickCadence,
      modules: Object.entries(entry.moduleMix)
        .filter(([, weight]) => weight > 0)
        .map(([module]) => module),
    };
  });
}

/**
 * A RunnerService of this app whose scripted brain plays with PERSONA_SEED `seed`. The scripted brain
 * draws from (seed, persona, local date), so a new seed is a new simulated day without waiting for one.
 */
export function seededRunner(t: TestApp, seed: string): RunnerService {
  const config = loadConfig({
    ...process.env,
    PORT: String(t.port),
    HOST: '127.0.0.1',
    ...RUNNER_TEST_ENV,
    PERSONA_BRAIN: 'scripted',
    PERSONA_SEED: seed,
  });
  const { app } = t;
  return new RunnerService(
    config,
    app.get(PersonaScheduleService),
    app.get(TickPipeline),
    new BrainSelector(config, app.get(AnthropicBrain), new ScriptedBrain(config)),
    app.get(HealthContributors),
    app.get(HttpAdapterHost),
    `findings-test-${seed}`,
  );
}

export interface FindingRow {
  tick_id: string;
  persona_id: string;
  seq: number | null;
  module: string;
  tool: string;
  class: string;
  check_name: string;
  expected: string;
  got: string;
  source: string;
  persona_mistake: boolean;
}

/** The findings of these ticks, in the order they were made. */
export function findingsOfTicks(t: TestApp, tickIds: string[]): Promise<FindingRow[]> {
  return t.dataSource.query(
    `SELECT tick_id, persona_id, seq, module, tool, class, check_name, expected, got, source, persona_mistake
       FROM persona_findings WHERE tick_id = ANY($1::uuid[]) ORDER BY created_at, id`,
    [tickIds],
  );
}

/** The calls of these ticks (tool, result, seq). */
export function callsOfTicks(
  t: TestApp,
  tickIds: string[],
): Promise<Array<{ tick_id: string; seq: number; tool_name: string; result: string; origin: string }>> {
  return t.dataSource.query(
    `SELECT tick_id, seq, tool_name, result, origin FROM persona_actions WHERE tick_id = ANY($1::uuid[]) ORDER BY tick_id, seq`,
    [tickIds],
  );
}
