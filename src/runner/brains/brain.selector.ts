import { Inject, Injectable, Optional } from '@nestjs/common';
import { AppConfig } from '../../config/app-config.js';
import { TICK_STORE } from '../tick/tick-store.js';
import type { TickStore } from '../tick/tick-store.js';
import { AnthropicBrain } from './anthropic.brain.js';
import type { BrainPause } from './anthropic-llm.client.js';
import type { Brain, BrainName } from './brain.js';
import { ScriptedBrain } from './scripted/scripted.brain.js';

/** PERSONA_BRAIN: anthropic or scripted, or auto (anthropic when ANTHROPIC_API_KEY is set). */
@Injectable()
export class BrainSelector {
  readonly choice: BrainName;
  /** DAILY_BUDGET_USD's pause at the last refresh (the anthropic brain only: the scripted one spends nothing). */
  private daily?: BrainPause;

  constructor(
    @Inject(AppConfig) config: AppConfig,
    @Inject(AnthropicBrain) private readonly anthropic: AnthropicBrain,
    @Inject(ScriptedBrain) private readonly scripted: ScriptedBrain,
    /**
     * Where the daily budget is read: this server's spend (in-process), or the server's over its
     * internal API (remote runner); absent: no daily cap (a seeded `npm run check` runner).
     */
    @Optional() @Inject(TICK_STORE) private readonly store?: TickStore,
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
    return this.choice === 'anthropic' ? (this.anthropic.llm.paused ?? this.daily) : undefined;
  }

  /** Re-reads what a pause depends on (today's spend against DAILY_BUDGET_USD) for the anthropic brain. */
  async refresh(): Promise<void> {
    if (this.choice === 'anthropic' && this.store) this.daily = await this.store.dailyBudget();
  }

  resume(): boolean {
    return this.anthropic.llm.resume();
  }
}
