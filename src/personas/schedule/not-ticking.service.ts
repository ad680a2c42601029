import { Inject, Injectable, Logger } from '@nestjs/common';
import { CronTime } from 'cron';
import { AppConfig } from '../../config/app-config.js';
import { HealthContributors } from '../../observability/health-contributors.js';
import { OVERDUE_GRACE_MS, effectiveNextDueAt, whyNotTicking } from './not-ticking.js';
import type { NotTicking, RunnerFacts } from './not-ticking.js';
import { NotTickingRepository } from './not-ticking.repository.js';

/** What the admin API adds to a persona about its schedule. */
export interface PersonaScheduleState {
  /** When the runner will next consider it due (effectiveNextDueAt), ISO; null: due now. */
  nextDueAt: string | null;
  notTicking: {
    reason: NotTicking['reason'];
    detail: string;
    since: string | null;
    until: string | null;
  } | null;
}

/**
 * A persona's next due time as the runner will use it, and why it will not tick then when it will
 * not (not-ticking.ts has the rules). The runner sits above this module, so its state is read from
 * what it publishes on /health (HealthContributors: `runner` and `dailyBudget`), the same record an
 * operator sees there; a process without a runner has none, and only the persona's own facts count.
 */
@Injectable()
export class NotTickingService {
  private readonly logger = new Logger(NotTickingService.name);
  /** Past due by more than this and unclaimed: overdue (the grace plus one RUNNER_CRON period). */
  private readonly overdueAfterMs: number;

  constructor(
    @Inject(NotTickingRepository) private readonly repo: NotTickingRepository,
    @Inject(HealthContributors) private readonly health: HealthContributors,
    @Inject(AppConfig) config: AppConfig,
  ) {
    this.overdueAfterMs = OVERDUE_GRACE_MS + cronPeriodMs(config.runnerCron);
  }

  /** The schedule state of each of these personas (those that exist), by user id. */
  async explain(personaIds: readonly string[]): Promise<Map<string, PersonaScheduleState>> {
    const out = new Map<string, PersonaScheduleState>();
    if (personaIds.length === 0) return out;
    const [rows, runner] = await Promise.all([this.repo.facts(personaIds), this.runnerFacts()]);
    for (const row of rows) {
      const now = new Date(row.now);
      const why = whyNotTicking(row, runner, now, this.overdueAfterMs);
      out.set(row.userId, {
        nextDueAt: effectiveNextDueAt(row, now)?.toISOString() ?? null,
        notTicking: why && {
          reason: why.reason,
          detail: why.detail,
          since: why.since?.toISOString() ?? null,
          until: why.until?.toISOString() ?? null,
        },
      });
    }
    return out;
  }

  /** This server's runner as /health shows it; undefined when no runner reports here. */
  private async runnerFacts(): Promise<RunnerFacts | undefined> {
    const reports: Record<string, Record<string, unknown>> = {};
    for (const contributor of this.health.all()) {
      try {
        Object.assign(reports, await contributor());
      } catch (error) {
        this.logger.warn(
          `a health contributor failed: ${error instanceof Error ? error.message : String(error)}`,
        );
      }
    }
    const runner = reports.runner;
    if (!runner) return undefined;
    const budget = reports.dailyBudget;
    const resumesAt =
      budget?.paused === true && typeof budget.resumesAt === 'string' ? budget.resumesAt : null;
    return {
      enabled: runner.enabled !== false,
      paused: runner.paused === true,
      brain: typeof runner.brain === 'string' ? runner.brain : 'anthropic',
      brainPaused: runner.brainPaused === true,
      brainResumesAt: resumesAt ? new Date(resumesAt) : null,
    };
  }
}

/** The time between two firings of a cron expression (a minute for the default); 1 min if unreadable. */
function cronPeriodMs(expression: string): number {
  try {
    const [a, b] = new CronTime(expression).sendAt(2);
    return Math.max(0, b.toMillis() - a.toMillis());
  } catch {
    return 60_000;
  }
}
