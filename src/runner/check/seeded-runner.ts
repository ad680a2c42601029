import { HttpAdapterHost } from '@nestjs/core';
import type { INestApplication } from '@nestjs/common';
import { loadConfig } from '../../config/app-config.js';
import { HealthContributors } from '../../observability/health-contributors.js';
import { PersonaScheduleService } from '../../personas/schedule/persona-schedule.service.js';
import { AnthropicBrain } from '../brains/anthropic.brain.js';
import { BrainSelector } from '../brains/brain.selector.js';
import { ScriptedBrain } from '../brains/scripted/scripted.brain.js';
import { RunnerService } from '../runner.service.js';
import { TickPipeline } from '../tick/tick.pipeline.js';

/**
 * A RunnerService of a booted app whose brains are seeded `seed`, named `name`: the scripted brain
 * draws from seed, persona and local date, so a simulated day (`npm run check`) or hour (the benches)
 * with its own seed plays its own session instead of replaying one. `overrides` are more settings for
 * this runner only (the brain, the ticks at a time).
 */
export function seededRunner(
  app: INestApplication,
  env: Record<string, string | undefined>,
  seed: string,
  name: string,
  overrides: Record<string, string> = {},
): RunnerService {
  const config = loadConfig({ ...env, ...overrides, PERSONA_SEED: seed });
  const brains = new BrainSelector(config, app.get(AnthropicBrain), new ScriptedBrain(config));
  return new RunnerService(
    config,
    app.get(PersonaScheduleService),
    app.get(TickPipeline),
    brains,
    app.get(HealthContributors),
    app.get(HttpAdapterHost),
    name,
  );
}
