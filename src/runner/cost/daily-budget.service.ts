import { Inject, Injectable, Logger } from '@nestjs/common';
import type { OnModuleInit } from '@nestjs/common';
import { Counter, Gauge } from 'prom-client';
import { AppConfig } from '../../config/app-config.js';
import { HealthContributors } from '../../observability/health-contributors.js';
import { MetricsService } from '../../observability/metrics.service.js';
import { PersonaScheduleService } from '../../personas/schedule/persona-schedule.service.js';
import type { DailyBudgetCheck } from '../../personas/schedule/daily-budget.js';
import type { BrainPause } from '../brains/anthropic-llm.client.js';
import type { BrainUsage } from '../brains/brain.js';
import { roundUsd } from './llm-pricing.js';

/** The daily cap's state, as /health and the runner state show it. */
export interface DailyBudgetState {
  /** DAILY_BUDGET_USD; null when there is no cap. */
  budgetUsd: number | null;
  /** Spend of all personas today at the last read (null before the first read). */
  spentTodayUsd: number | null;
  paused: boolean;
  /** When the pause ends: the next UTC midnight by the database's clock. */
  resumesAt: string | null;
}

/**
 * DAILY_BUDGET_USD: the LLM spend of all personas per day (UTC, by the database's clock), read from
 * persona_ticks.cost_usd through the personas module. `refresh()` (each firing, and before each
 * claim of a firing) re-reads it; once the spend reaches the cap the anthropic brain is paused
 * (BrainSelector.paused()), and the first refresh on the next day lifts the pause by itself. An
 * admin resume does not lift it: the spend is still there until the day turns.
 * Also the LLM series of /metrics: tokens by kind, cost, spend today, the cap and the pause.
 */
@Injectable()
export class DailyBudgetService implements OnModuleInit {
  private readonly logger = new Logger(DailyBudgetService.name);
  private pause?: BrainPause & { resumesAt: Date };
  private last?: DailyBudgetCheck;
  private readonly tokens: Counter<'kind'>;
  private readonly cost: Counter<never>;
  private readonly spentGauge: Gauge;
  private readonly budgetGauge: Gauge;
  private readonly pausedGauge: Gauge;

  constructor(
    @Inject(AppConfig) private readonly config: AppConfig,
    @Inject(PersonaScheduleService) private readonly schedule: PersonaScheduleService,
    @Inject(HealthContributors) private readonly health: HealthContributors,
    @Inject(MetricsService) metrics: MetricsService,
  ) {
    this.tokens = metrics.counter(
      'persona_llm_tokens_total',
      'LLM tokens of persona ticks by kind: input (uncached), cache_write, cache_read, output',
      ['kind'] as const,
    );
    this.cost = metrics.counter(
      'persona_llm_cost_usd_total',
      'LLM cost of persona ticks in USD',
      [] as const,
    );
    const gauge = (name: string, help: string): Gauge =>
      (metrics.registry.getSingleMetric(name) as Gauge | undefined) ??
      new Gauge({ name, help, registers: [metrics.registry] });
    this.spentGauge = gauge(
      'persona_llm_spend_today_usd',
      'LLM spend of all personas today (UTC, database clock), at the last read',
    );
    this.budgetGauge = gauge(
      'persona_llm_daily_budget_usd',
      'DAILY_BUDGET_USD (absent when there is no cap)',
    );
    this.pausedGauge = gauge(
      'persona_llm_daily_budget_paused',
      '1 while DAILY_BUDGET_USD pauses the anthropic brain',
    );
    if (config.dailyBudgetUsd !== undefined) this.budgetGauge.set(config.dailyBudgetUsd);
    this.pausedGauge.set(0);
  }

  onModuleInit(): void {
    this.health.add(() => ({ dailyBudget: { status: 'up', ...this.state() } }));
  }

  /** Set while today's spend has reached DAILY_BUDGET_USD. */
  get paused(): BrainPause | undefined {
    return this.pause;
  }

  state(): DailyBudgetState {
    return {
      budgetUsd: this.config.dailyBudgetUsd ?? null,
      spentTodayUsd: this.last ? roundUsd(this.last.spentTodayUsd) : null,
      paused: this.pause !== undefined,
      resumesAt: this.pause?.resumesAt.toISOString() ?? null,
    };
  }

  /** Re-reads today's spend and pauses or resumes by it (the rule: dailyBudgetCheck). */
  async refresh(): Promise<void> {
    let check: DailyBudgetCheck;
    try {
      check = await this.schedule.dailyBudget();
    } catch (error) {
      // keep the last state: a failed read neither pauses nor resumes
      this.logger.warn(
        `could not read today's LLM spend: ${error instanceof Error ? error.message : String(error)}`,
      );
      return;
    }
    this.last = check;
    this.spentGauge.set(check.spentTodayUsd);
    if (check.reached && check.reason) {
      if (!this.pause) this.logger.warn(`anthropic brain paused: ${check.reason}`);
      this.pause = {
        reason: check.reason,
        since: this.pause?.since ?? check.now,
        resumesAt: check.resumesAt,
      };
      this.pausedGauge.set(1);
    } else if (this.pause) {
      this.logger.log(
        `anthropic brain resumed: the daily budget applies afresh (spent today $${check.spentTodayUsd})`,
      );
      this.pause = undefined;
      this.pausedGauge.set(0);
    }
  }

  /** Counts a tick's LLM usage in the metrics. */
  count(usage: BrainUsage): void {
    const read = usage.cacheReadTokens ?? 0;
    const write = usage.cacheWriteTokens ?? 0;
    if (usage.tokensIn + usage.tokensOut === 0) return;
    this.tokens.inc({ kind: 'input' }, Math.max(0, usage.tokensIn - read - write));
    this.tokens.inc({ kind: 'cache_write' }, write);
    this.tokens.inc({ kind: 'cache_read' }, read);
    this.tokens.inc({ kind: 'output' }, usage.tokensOut);
    this.cost.inc(usage.costUsd);
  }
}
