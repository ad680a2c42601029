import { Module } from '@nestjs/common';
import { ScheduleModule } from '@nestjs/schedule';
import { PersonasModule } from '../personas/personas.module.js';
import { ToolsModule } from '../tools/tools.module.js';
import { AnthropicLlmClient } from './brains/anthropic-llm.client.js';
import { AnthropicBrain } from './brains/anthropic.brain.js';
import { BrainSelector } from './brains/brain.selector.js';
import { ScriptedBrain } from './brains/scripted/scripted.brain.js';
import { RunnerAdminController } from './runner-admin.controller.js';
import { RunnerEvents } from './runner.events.js';
import { RunnerMetrics } from './runner.metrics.js';
import { RunnerScheduler } from './runner.scheduler.js';
import { RunnerService } from './runner.service.js';
import { TickPipeline } from './tick/tick.pipeline.js';
import { DailyBudgetService } from './cost/daily-budget.service.js';
import { InProcessTickStore } from './tick/in-process-tick.store.js';
import { TICK_STORE } from './tick/tick-store.js';
import { TargetResolver } from './targets/target.resolver.js';

/** The persona runner: claims due personas, plays their day through our own /mcp, records it all. */
@Module({
  imports: [ScheduleModule.forRoot(), PersonasModule, ToolsModule],
  controllers: [RunnerAdminController],
  providers: [
    AnthropicLlmClient,
    AnthropicBrain,
    ScriptedBrain,
    BrainSelector,
    DailyBudgetService,
    RunnerEvents,
    RunnerMetrics,
    { provide: TICK_STORE, useClass: InProcessTickStore },
    TargetResolver,
    TickPipeline,
    RunnerService,
    RunnerScheduler,
  ],
  exports: [RunnerService, RunnerEvents, TargetResolver],
})
export class RunnerModule {}
