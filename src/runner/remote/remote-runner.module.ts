import { Module } from '@nestjs/common';
import type { DynamicModule } from '@nestjs/common';
import { AppConfig } from '../../config/app-config.js';
import { MetricsService } from '../../observability/metrics.service.js';
import { AnthropicLlmClient } from '../brains/anthropic-llm.client.js';
import { AnthropicBrain } from '../brains/anthropic.brain.js';
import { BrainSelector } from '../brains/brain.selector.js';
import { ScriptedBrain } from '../brains/scripted/scripted.brain.js';
import { RunnerEvents } from '../runner.events.js';
import { RunnerMetrics } from '../runner.metrics.js';
import { TICK_STORE } from '../tick/tick-store.js';
import { TickPipeline } from '../tick/tick.pipeline.js';
import { HttpTickStore } from './http-tick.store.js';
import { InternalApiClient } from './internal-api.client.js';

/**
 * What `npm run runner:remote` boots (an application context, no HTTP server, no database): the
 * brains and the one TickPipeline, with the pipeline's storage bound to the HTTP TickStore.
 */
@Module({})
export class RemoteRunnerModule {
  static forServer(config: AppConfig, apiUrl: string): DynamicModule {
    return {
      module: RemoteRunnerModule,
      providers: [
        { provide: AppConfig, useValue: config },
        { provide: InternalApiClient, useValue: new InternalApiClient(apiUrl, config.serviceKey) },
        {
          provide: TICK_STORE,
          useFactory: (api: InternalApiClient) => new HttpTickStore(api, config),
          inject: [InternalApiClient],
        },
        MetricsService,
        RunnerMetrics,
        RunnerEvents,
        AnthropicLlmClient,
        AnthropicBrain,
        ScriptedBrain,
        BrainSelector,
        TickPipeline,
      ],
    };
  }
}
