import { Inject, Injectable, Logger } from '@nestjs/common';
import type { BeforeApplicationShutdown, OnApplicationBootstrap, OnModuleDestroy } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import { SchedulerRegistry } from '@nestjs/schedule';
import { CronJob } from 'cron';
import { AppConfig } from '../config/app-config.js';
import { PersonaSeedService } from '../personas/catalog/persona-seed.service.js';
import { RunnerService } from './runner.service.js';

export const RUNNER_JOB = 'persona-runner';

interface ListeningServer {
  listening: boolean;
  once(event: 'listening', listener: () => void): unknown;
}

/**
 * The thin scheduler: fires RunnerService.runDue() on RUNNER_CRON. The expression comes from
 * config, so the job is registered at boot with SchedulerRegistry rather than a static @Cron;
 * `waitForCompletion` keeps firings from overlapping. With RUNNER_ENABLED=false nothing is
 * scheduled. Once the server listens, demo mode (RUNNER_DEMO) seeds the persona catalog and the
 * first firing runs right away, so `npm start` shows ticks within seconds.
 */
@Injectable()
export class RunnerScheduler implements OnApplicationBootstrap, OnModuleDestroy, BeforeApplicationShutdown {
  private readonly logger = new Logger(RunnerScheduler.name);
  private job?: CronJob;
  private firing = false;
  private stopped = false;

  constructor(
    @Inject(AppConfig) private readonly config: AppConfig,
    @Inject(SchedulerRegistry) private readonly registry: SchedulerRegistry,
    @Inject(RunnerService) private readonly runner: RunnerService,
    @Inject(PersonaSeedService) private readonly seed: PersonaSeedService,
    @Inject(HttpAdapterHost) private readonly http: HttpAdapterHost,
  ) {}

  onApplicationBootstrap(): void {
    if (!this.config.runnerEnabled) {
      this.logger.log('runner disabled (RUNNER_ENABLED=false): personas will not tick on a schedule');
      return;
    }
    this.job = CronJob.from({
      cronTime: this.config.runnerCron,
      onTick: () => this.fire(),
      waitForCompletion: true,
      start: false,
      name: RUNNER_JOB,
      errorHandler: (error) => this.logger.error(`runner firing failed: ${String(error)}`),
    });
    this.registry.addCronJob(RUNNER_JOB, this.job);
    // the tick logs in over HTTP to this very server: wait until it listens
    const server = this.http.httpAdapter?.getHttpServer() as ListeningServer | undefined;
    if (!server || server.listening) void this.start();
    else server.once('listening', () => void this.start());
  }

  /** Shutdown starts by no longer firing (the first hook Nest runs; RunnerService drains the ticks). */
  async onModuleDestroy(): Promise<void> {
    this.stopped = true;
    await this.job?.stop();
  }

  async beforeApplicationShutdown(): Promise<void> {
    this.stopped = true;
    await this.job?.stop();
  }

  private async start(): Promise<void> {
    if (this.stopped || !this.job) return;
    let demo = '';
    if (this.config.runnerDemo) {
      try {
        const report = await this.seed.seedCatalog();
        demo = ` (demo mode: ${report.personas.length - report.failed} catalog personas ready; RUNNER_DEMO=false turns it off)`;
      } catch (error) {
        this.logger.error(`demo mode: seeding the persona catalog failed: ${(error as Error).message}`);
      }
    }
    if (this.stopped) return;
    this.logger.log(`runner started: personas tick on "${this.config.runnerCron}"${demo}`);
    this.job.start();
    await this.fire();
  }

  /** One firing, logged for the person at the console. */
  private async fire(): Promise<void> {
    if (this.firing || this.stopped) return;
    this.firing = true;
    try {
      const s = await this.runner.runDue();
      const base = this.runner.baseUrl();
      const line = `runner: ${s.ticks} tick${s.ticks === 1 ? '' : 's'} (${s.ok} ok, ${s.failed + s.timedOut} failed), ${s.toolCalls} tool calls — see ${base}/admin and GET ${base}/api/v1/personas/admin`;
      if (s.ticks > 0) this.logger.log(line);
      else this.logger.debug(s.skippedReason ? `runner: skipped (${s.skippedReason})` : line);
    } catch (error) {
      this.logger.error(`runner firing failed: ${(error as Error).message}`);
    } finally {
      this.firing = false;
    }
  }
}
