import { Inject, Injectable } from '@nestjs/common';
import { Gauge } from 'prom-client';
import type { Counter, Histogram } from 'prom-client';
import { MetricsService } from '../observability/metrics.service.js';

export type ToolCallOutcome = 'ok' | 'tool' | 'protocol' | 'timeout' | 'unknown_tool';

/** The runner's Prometheus series: ticks by status, tool calls by outcome, tick duration, in flight. */
@Injectable()
export class RunnerMetrics {
  readonly ticks: Counter<'status' | 'brain'>;
  readonly toolCalls: Counter<'outcome'>;
  readonly tickDuration: Histogram<'status'>;
  readonly inFlight: Gauge;
  readonly findings: Counter<'class' | 'source'>;
  readonly droppedFindings: Counter<never>;

  constructor(@Inject(MetricsService) metrics: MetricsService) {
    this.ticks = metrics.counter('persona_ticks_total', 'Persona ticks by final status and brain', [
      'status',
      'brain',
    ] as const);
    this.toolCalls = metrics.counter(
      'persona_tool_calls_total',
      'Tool calls made by personas, by outcome (ok or the error kind)',
      ['outcome'] as const,
    );
    this.tickDuration = metrics.histogram(
      'persona_tick_duration_seconds',
      'Wall time of a persona tick, login to finish',
      ['status'] as const,
      [0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 600],
    );
    this.findings = metrics.counter(
      'persona_findings_total',
      'Findings recorded by personas, by class and source',
      ['class', 'source'] as const,
    );
    this.droppedFindings = metrics.counter(
      'persona_findings_dropped_total',
      'Findings a model reported that failed validation and were dropped',
      [] as const,
    );
    const existing = metrics.registry.getSingleMetric('persona_ticks_in_flight');
    this.inFlight =
      (existing as Gauge | undefined) ??
      new Gauge({
        name: 'persona_ticks_in_flight',
        help: 'Persona ticks running right now in this process',
        registers: [metrics.registry],
      });
  }

  findingsDropped(count: number): void {
    this.droppedFindings.inc(count);
  }
}
