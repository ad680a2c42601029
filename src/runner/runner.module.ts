import { Module } from '@nestjs/common';
import { ScheduleModule } from '@nestjs/schedule';
import { PersonasModule } from '../personas/personas.module.js';
import { AnthropicLlmClient } from './brains/anthropic-llm.client.js';
import { AnthropicBrain } from './brains/anthropic.brain.js';
import { BrainSelector } from './brains/brain.selector.js';
import { ScriptedBrain } from './brains/scripted.brain.js';
import { RunnerAdminController } from './runner-admin.controller.js';
import { RunnerEvents } from './runner.events.js';
import { RunnerMetrics } from './runner.metrics.js';
import { RunnerScheduler } from './runner.scheduler.js';
import { RunnerService } from './runner.service.js';
import { TickPipeline } from './tick.pipeline.js';

/** The persona runner: claims due personas, plays their day through our own /mcp, records it all. */
@Module({
  imports: [ScheduleModule.forRoot(), PersonasModule],
  controllers: [RunnerAdminController],
  providers: [
    AnthropicLlmClient,
    AnthropicBrain,
    ScriptedBrain,
    BrainSelector,
    RunnerEvents,
    RunnerMetrics,
    TickPipeline,
    RunnerService,
    RunnerScheduler,
  ],
  exports: [RunnerService, RunnerEvents],
})
export class RunnerModule {}
