import { Inject, Injectable, Logger } from '@nestjs/common';
import type { OnApplicationBootstrap, OnModuleDestroy } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { AppConfig } from '../../config/app-config.js';

/** How often the prune runs, and how long after boot the first one does. */
const PRUNE_EVERY_MS = 60 * 60_000;
const FIRST_PRUNE_AFTER_MS = 30_000;
/** Rows cleared per statement (short transactions), and statements per run (a bounded run). */
const BATCH = 5000;
const MAX_BATCHES = 200;

/**
 * TRAJECTORY_RETENTION_DAYS: the input and answer a call kept are cleared once the call is older
 * than that; the audit row itself (tool, outcome, latency, input hash) stays, and so do findings.
 * Runs half a minute after boot and then hourly, on every instance (the statement is idempotent, so
 * two instances pruning at once only share the work).
 */
@Injectable()
export class TrajectoryRetentionService implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger(TrajectoryRetentionService.name);
  private timer?: NodeJS.Timeout;
  private running?: Promise<number>;

  constructor(
    @Inject(AppConfig) private readonly config: AppConfig,
    @InjectDataSource() private readonly dataSource: DataSource,
  ) {}

  onApplicationBootstrap(): void {
    const run = () => {
      void this.prune().catch((error: Error) =>
        this.logger.warn(`trajectory prune failed: ${error.message}`),
      );
    };
    this.timer = setTimeout(() => {
      run();
      this.timer = setInterval(run, PRUNE_EVERY_MS);
      this.timer.unref();
    }, FIRST_PRUNE_AFTER_MS);
    this.timer.unref();
  }

  async onModuleDestroy(): Promise<void> {
    clearTimeout(this.timer);
    clearInterval(this.timer);
    await this.running?.catch(() => undefined);
  }

  /** Clears what calls older than the retention kept; answers how many calls it cleared. */
  prune(): Promise<number> {
    this.running ??= this.pruneAll().finally(() => (this.running = undefined));
    return this.running;
  }

  /**
   * Shape: each statement takes the oldest BATCH rows that still keep content through the partial
   * index ix_persona_actions_trajectory_kept (created_at, only rows with content), so a run reads
   * nothing it does not clear, and rows already cleared are never read again.
   */
  private async pruneAll(): Promise<number> {
    let cleared = 0;
    for (let i = 0; i < MAX_BATCHES; i += 1) {
      const result = (await this.dataSource.query(
        `UPDATE persona_actions
            SET input = NULL, output = NULL
          WHERE id IN (SELECT id FROM persona_actions
                        WHERE (input IS NOT NULL OR output IS NOT NULL)
                          AND created_at < now() - make_interval(days => $1::int)
                        ORDER BY created_at
                        LIMIT ${BATCH})`,
        [this.config.trajectoryRetentionDays],
      )) as [unknown[], number];
      const n = result[1] ?? 0;
      cleared += n;
      if (n < BATCH) break;
    }
    if (cleared > 0)
      this.logger.log(
        `trajectory retention: cleared the input and answer of ${cleared} calls older than ${this.config.trajectoryRetentionDays} days`,
      );
    return cleared;
  }
}
