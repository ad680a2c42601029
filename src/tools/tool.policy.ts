import { Inject, Injectable } from '@nestjs/common';
import type { Counter } from 'prom-client';
import { AppConfig } from '../config/app-config.js';
import { MetricsService } from '../observability/metrics.service.js';
import { RateLimiterFactory } from '../database/rate-limits/rate-limiter.factory.js';
import { retryAfterSeconds } from '../database/rate-limits/shared-rate-limiter.js';
import type { SharedRateLimiter } from '../database/rate-limits/shared-rate-limiter.js';
import type { UserRole } from '../auth/auth.types.js';
import { findInjectionMarkers } from './injection-detector.js';
import { UserSettingsService } from './settings/user-settings.service.js';
import type { ToolInvoker, ToolOptions } from '../tool-contract/tool.types.js';
import type { ToolCaller, ToolErrorKind, ToolWarning } from './tool.types.js';

export type PolicyDecision =
  'allowed' | 'denied_admin_scope' | 'denied_destructive' | 'rate_limited' | 'flagged_injection';

/** Why a call is refused before its handler runs. */
export interface PolicyDenial {
  kind: Extract<ToolErrorKind, 'forbidden' | 'rate_limited'>;
  code: string;
  message: string;
}

/**
 * The rules every tool call passes, whoever invokes it:
 * - admin-scope tools only for an admin through the admin invoker (never over MCP);
 * - destructive tools only for a user who opted in (user_settings, read on each call, so switching
 *   it off applies at once);
 * - at most TOOL_RATE_LIMIT calls per TOOL_RATE_WINDOW_MS per user and tool, counted in the database
 *   so every instance shares the budget: a fixed window per (user, tool) that opens at its first call
 *   (up to twice the limit in a span of one window that straddles two windows; before issue 22 it
 *   was an exact sliding window per instance). While the database does not answer, each instance
 *   counts in its own memory (SharedRateLimiter): the tools need the database anyway, and a runaway
 *   client stays bounded;
 * - prompt-injection markers in the input are flagged (the call still runs).
 * Every decision is counted in mana_tool_policy_decisions_total{tool,decision}.
 */
@Injectable()
export class ToolPolicy {
  private readonly limiter: SharedRateLimiter;
  private readonly decisions: Counter<'tool' | 'decision'>;

  constructor(
    @Inject(AppConfig) config: AppConfig,
    @Inject(MetricsService) metrics: MetricsService,
    @Inject(UserSettingsService) private readonly settings: UserSettingsService,
    @Inject(RateLimiterFactory) limits: RateLimiterFactory,
  ) {
    this.limiter = limits.create({
      name: 'tool',
      points: config.toolRateLimit,
      windowMs: config.toolRateWindowMs,
    });
    this.decisions = metrics.counter(
      'mana_tool_policy_decisions_total',
      'Tool policy decisions by tool and decision (allowed, denied_*, rate_limited, flagged_injection)',
      ['tool', 'decision'],
    );
  }

  /** Whether a tool is offered at all to this invoker (the MCP listing); the call is checked again. */
  isExposed(tool: ToolOptions, invoker: ToolInvoker, role: UserRole, destructiveEnabled: boolean): boolean {
    if (tool.scope === 'admin') return invoker === 'admin' && role === 'admin';
    if (tool.policy === 'destructive') return destructiveEnabled;
    return true;
  }

  destructiveEnabled(userId: string): Promise<boolean> {
    return this.settings.destructiveToolsEnabled(userId);
  }

  /** Undefined when the call may run; the refusal otherwise. Consumes one unit of the rate limit. */
  async authorize(tool: ToolOptions, caller: ToolCaller): Promise<PolicyDenial | undefined> {
    if (tool.scope === 'admin' && !(caller.invoker === 'admin' && caller.user.role === 'admin')) {
      this.count(tool.name, 'denied_admin_scope');
      return {
        kind: 'forbidden',
        code: 'ADMIN_TOOL',
        message: `${tool.name} is an admin tool: it is not available to ${caller.invoker === 'mcp' ? 'MCP clients' : `the ${caller.invoker} invoker`}`,
      };
    }
    if (tool.policy === 'destructive' && !(await this.settings.destructiveToolsEnabled(caller.user.id))) {
      this.count(tool.name, 'denied_destructive');
      return {
        kind: 'forbidden',
        code: 'DESTRUCTIVE_DISABLED',
        message:
          `${tool.name} is a destructive tool and destructive tools are switched off for this account; ` +
          'the account owner can enable them with PATCH /api/v1/me/settings {"destructiveTools": true}',
      };
    }
    const rate = await this.limiter.take(`${caller.user.id}\u0000${tool.name}`);
    if (!rate.allowed) {
      this.count(tool.name, 'rate_limited');
      return {
        kind: 'rate_limited',
        code: 'RATE_LIMITED',
        message:
          `Rate limit reached: at most ${this.limiter.points} calls of ${tool.name} per ` +
          `${formatWindow(this.limiter.windowMs)} per user; try again in ${retryAfterSeconds(rate)} s`,
      };
    }
    this.count(tool.name, 'allowed');
    return undefined;
  }

  /** Prompt-injection markers in the (validated) input; counted once per flagged call. */
  scan(tool: ToolOptions, input: unknown): ToolWarning[] {
    const warnings = findInjectionMarkers(input);
    if (warnings.length > 0) this.count(tool.name, 'flagged_injection');
    return warnings;
  }

  private count(tool: string, decision: PolicyDecision): void {
    this.decisions.inc({ tool, decision });
  }
}

function formatWindow(ms: number): string {
  if (ms % 60_000 === 0) return ms === 60_000 ? 'minute' : `${ms / 60_000} minutes`;
  return `${Math.round(ms / 100) / 10} s`;
}
