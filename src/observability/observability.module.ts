import { Global, Module } from '@nestjs/common';
import { TerminusModule } from '@nestjs/terminus';
import { HealthController } from './health.controller.js';
import { HealthContributors } from './health-contributors.js';
import { MetricsService } from './metrics.service.js';
import { TracingService } from './tracing.service.js';

@Global()
@Module({
  imports: [TerminusModule.forRoot({ logger: false })],
  controllers: [HealthController],
  providers: [MetricsService, HealthContributors, TracingService],
  exports: [MetricsService, HealthContributors],
})
export class ObservabilityModule {}
