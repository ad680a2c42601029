import { Injectable } from '@nestjs/common';
import { Counter, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { ServerResponse } from 'node:http';
import type { NextFunction, Request, Response } from 'express';

const CATCH_ALL_MIDDLEWARE_ROUTE = '{/*splat}';

/**
 * The Prometheus registry (prom-client). Modules register their own counters here; HTTP request
 * counts and latency by route come from the middleware below.
 */
@Injectable()
export class MetricsService {
  readonly registry = new Registry();
  private readonly httpRequests = new Counter({
    name: 'http_requests_total',
    help: 'HTTP requests by method, route and status',
    labelNames: ['method', 'route', 'status'] as const,
    registers: [this.registry],
  });
  private readonly httpDuration = new Histogram({
    name: 'http_request_duration_seconds',
    help: 'HTTP request latency by method and route',
    labelNames: ['method', 'route'] as const,
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers: [this.registry],
  });

  constructor() {
    collectDefaultMetrics({ register: this.registry });
  }

  counter<L extends string>(name: string, help: string, labelNames: readonly L[]): Counter<L> {
    const existing = this.registry.getSingleMetric(name);
    if (existing) return existing as Counter<L>;
    return new Counter({ name, help, labelNames, registers: [this.registry] });
  }

  histogram<L extends string>(
    name: string,
    help: string,
    labelNames: readonly L[],
    buckets?: number[],
  ): Histogram<L> {
    const existing = this.registry.getSingleMetric(name);
    if (existing) return existing as Histogram<L>;
    return new Histogram({ name, help, labelNames, buckets, registers: [this.registry] });
  }

  /** Express middleware: labels by the matched route pattern, never the raw path (bounded cardinality). */
  httpMiddleware() {
    return (req: Request, res: Response, next: NextFunction) => {
      this.observe(res, req.method, () => {
        let routePath = (req.route as { path?: string } | undefined)?.path;
        // nestjs-pino mounts its middleware on this catch-all pattern: a request no controller
        // matched is left carrying it
        if (routePath === CATCH_ALL_MIDDLEWARE_ROUTE) routePath = undefined;
        return routePath ? `${req.baseUrl}${routePath}` : 'unmatched';
      });
      next();
    };
  }

  /** Times one request and counts it under `route()` (read once the response is finished). */
  observe(res: ServerResponse, method: string | undefined, route: () => string): void {
    const end = this.httpDuration.startTimer();
    res.once('finish', () => {
      const labels = { method: method ?? 'UNKNOWN', route: route() };
      this.httpRequests.inc({ ...labels, status: String(res.statusCode) });
      end(labels);
    });
  }
}
