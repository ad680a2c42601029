import { Inject, Injectable, Optional } from '@nestjs/common';
import { AppConfig } from '../../config/app-config.js';
import { AnthropicBrain } from './anthropic.brain.js';
import type { BrainPause } from './anthropic-llm.client.js';
import type { Brain, BrainName } from './brain.js';
import { ScriptedBrain } from './scripted/scripted.brain.js';
import { DailyBudgetService } from '../cost/daily-budget.service.js';

/** PERSONA_BRAIN: anthropic or scripted, or auto (anthropic when ANTHROPIC_API_KEY is set). */
@Injectable()
export class BrainSelector {
  readonly choice: BrainName;

  constructor(
    @Inject(AppConfig) config: AppConfig,
    @Inject(AnthropicBrain) private readonly anthropic: AnthropicBrain,
    @Inject(ScriptedBrain) private readonly scripted: ScriptedBrain,
    /** DAILY_BUDGET_USD; absent in the remote runner (the server's runner keeps the daily cap). */
    @Optional() @Inject(DailyBudgetService) private readonly daily?: DailyBudgetService,
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

  /**
   * Set when the chosen brain refuses to work: until an admin resumes it (bad key, the API's spend
   * limit), or until the next day (DAILY_BUDGET_USD reached).
   */
  paused(): BrainPause | undefined {
    return this.choice === 'anthropic' ? (this.anthropic.llm.paused ?? this.daily?.paused) : undefined;
  }

  /** Re-reads what a pause depends on (today's spend against DAILY_BUDGET_USD) for the anthropic brain. */
  async refresh(): Promise<void> {
    if (this.choice === 'anthropic') await this.daily?.refresh();
  }

  resume(): boolean {
    return this.anthropic.llm.resume();
  }
}
