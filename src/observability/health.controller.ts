import { Controller, Get, Header, Inject } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { HealthCheck, HealthCheckService, TypeOrmHealthIndicator } from '@nestjs/terminus';
import { Public } from '../common/public.decorator.js';
import { HealthContributors } from './health-contributors.js';
import { instanceGuarantees } from './instance-guarantees.js';
import type { InstanceGuarantees } from './instance-guarantees.js';
import { AppConfig } from '../config/app-config.js';
import { MetricsService } from './metrics.service.js';

@ApiTags('health')
@Controller()
export class HealthController {
  private readonly instances: InstanceGuarantees;

  constructor(
    @Inject(HealthCheckService) private readonly health: HealthCheckService,
    @Inject(TypeOrmHealthIndicator) private readonly db: TypeOrmHealthIndicator,
    @Inject(HealthContributors) private readonly contributors: HealthContributors,
    @Inject(MetricsService) private readonly metrics: MetricsService,
    @Inject(AppConfig) config: AppConfig,
  ) {
    this.instances = instanceGuarantees(config);
  }

  /**
   * Liveness: the process answers. Also shows module state (runner paused or running) and, under
   * `instances`, which guarantees hold across instances on this database and which for this one only.
   */
  @Public()
  @Get('health')
  @HealthCheck()
  live() {
    return this.health.check([
      () => ({ instances: { status: 'up', ...this.instances } }),
      ...this.contributors.all(),
    ]);
  }

  /** Readiness: the database answers a ping; 503 while it does not. */
  @Public()
  @Get('health/ready')
  @HealthCheck()
  ready() {
    return this.health.check([() => this.db.pingCheck('database', { timeout: 2000 })]);
  }

  @Public()
  @Get('metrics')
  @Header('Content-Type', 'text/plain; version=0.0.4')
  async scrape(): Promise<string> {
    return this.metrics.registry.metrics();
  }
}
