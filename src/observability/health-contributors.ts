import { Injectable } from '@nestjs/common';
import type { HealthIndicatorResult } from '@nestjs/terminus';

export type HealthContributor = () => HealthIndicatorResult | Promise<HealthIndicatorResult>;

/** Modules add what /health should show about them (the runner adds its paused/running state). */
@Injectable()
export class HealthContributors {
  private readonly items: HealthContributor[] = [];

  add(contributor: HealthContributor): void {
    this.items.push(contributor);
  }

  all(): HealthContributor[] {
    return [...this.items];
  }
}
