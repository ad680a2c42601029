import { Inject, Injectable } from '@nestjs/common';
import type { CanActivate, ExecutionContext } from '@nestjs/common';
import type { Request, Response } from 'express';
import { AppConfig } from '../config/app-config.js';
import { VaultErrorCode, VaultException } from './vault.exception.js';

interface Window {
  startedAt: number;
  count: number;
}

/**
 * Throttles the vault routes that re-check the account password (key export, zero-knowledge) the
 * way login is throttled: one budget per account (AUTH_RATE_LIMIT_PER_EMAIL) and one per client IP
 * (AUTH_RATE_LIMIT_PER_IP) per AUTH_RATE_WINDOW_MS, every attempt counted, so a stolen access
 * token cannot be used to guess the password. Answers 429 with Retry-After. In memory, per instance,
 * like the login limiter. Runs after the global JWT guard, so the account is known.
 */
@Injectable()
export class VaultRateLimitGuard implements CanActivate {
  private readonly windows = new Map<string, Window>();

  constructor(@Inject(AppConfig) private readonly config: AppConfig) {}

  canActivate(context: ExecutionContext): boolean {
    const http = context.switchToHttp();
    const req = http.getRequest<Request & { user?: { id: string } }>();
    const now = Date.now();
    this.prune(now);
    const keys: Array<[string, number]> = [
      [`user:${req.user?.id ?? 'none'}`, this.config.authRateLimitPerEmail],
      [`ip:${req.ip ?? 'unknown'}`, this.config.authRateLimitPerIp],
    ];
    let retryAfterMs = 0;
    for (const [key, limit] of keys) {
      const w = this.windows.get(key) ?? { startedAt: now, count: 0 };
      w.count += 1;
      this.windows.set(key, w);
      if (w.count > limit)
        retryAfterMs = Math.max(retryAfterMs, w.startedAt + this.config.authRateWindowMs - now);
    }
    if (retryAfterMs <= 0) return true;
    const seconds = Math.max(1, Math.ceil(retryAfterMs / 1000));
    http.getResponse<Response>().setHeader('Retry-After', String(seconds));
    throw new VaultException(
      VaultErrorCode.TOO_MANY_ATTEMPTS,
      `Too many vault attempts (key export, zero-knowledge); try again in ${seconds} s`,
    );
  }

  /** Drops windows that are over, so the map holds only the current window's callers. */
  private prune(now: number): void {
    for (const [key, w] of this.windows) {
      if (now - w.startedAt >= this.config.authRateWindowMs) this.windows.delete(key);
    }
  }
}
