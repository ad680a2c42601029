import { Inject, Injectable } from '@nestjs/common';
import { AppConfig } from '../../config/app-config.js';
import { AnthropicBrain } from './anthropic.brain.js';
import type { BrainPause } from './anthropic-llm.client.js';
import type { Brain, BrainName } from './brain.js';
import { ScriptedBrain } from './scripted.brain.js';

/** PERSONA_BRAIN: anthropic or scripted, or auto (anthropic when ANTHROPIC_API_KEY is set). */
@Injectable()
export class BrainSelector {
  readonly choice: BrainName;

  constructor(
    @Inject(AppConfig) config: AppConfig,
    @Inject(AnthropicBrain) private readonly anthropic: AnthropicBrain,
    @Inject(ScriptedBrain) private readonly scripted: ScriptedBrain,
  ) {
    this.choice =
      config.personaBrain === 'auto'
        ? config.anthropicApiKey
          ? 'anthropic'
          : 'scripted'
        : config.personaBrain;
  }

  current(): Brain {
    return this.choice === 'anthropic' ? this.anthropic : this.scripted;
  }

  /** Set when the chosen brain refuses to work until resumed (bad key, spend limit). */
  paused(): BrainPause | undefined {
    return this.choice === 'anthropic' ? this.anthropic.llm.paused : undefined;
  }

  resume(): boolean {
    return this.anthropic.llm.resume();
  }
}
