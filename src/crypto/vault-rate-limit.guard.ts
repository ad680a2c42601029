import { Inject, Injectable } from '@nestjs/common';
import type { CanActivate, ExecutionContext } from '@nestjs/common';
import type { Request, Response } from 'express';
import { AppConfig } from '../config/app-config.js';
import { rateLimitAddress } from '../common/client-address.js';
import { RateLimiterFactory } from '../database/rate-limits/rate-limiter.factory.js';
import { retryAfterSeconds } from '../database/rate-limits/shared-rate-limiter.js';
import type { SharedRateLimiter } from '../database/rate-limits/shared-rate-limiter.js';
import { VaultErrorCode, VaultException } from './vault.exception.js';

/**
 * Throttles the vault routes that re-check the account password (key export, zero-knowledge) the
 * way login is throttled: one budget per account (AUTH_RATE_LIMIT_PER_EMAIL) and one per client
 * address (AUTH_RATE_LIMIT_PER_IP) per AUTH_RATE_WINDOW_MS, every attempt counted against both, so a
 * stolen access token cannot be used to guess the password. Answers 429 with Retry-After (until the
 * later of the two windows that refused ends). Counted in the database, shared by every instance on
 * it (RateLimiterFactory); while the database does not answer, each instance counts in its own memory
 * (a password check must not open up; the vault needs the database anyway). Runs after the global JWT
 * guard, so the account is known.
 */
@Injectable()
export class VaultRateLimitGuard implements CanActivate {
  private readonly perUser: SharedRateLimiter;
  private readonly perIp: SharedRateLimiter;

  constructor(@Inject(AppConfig) config: AppConfig, @Inject(RateLimiterFactory) limits: RateLimiterFactory) {
    const windowMs = config.authRateWindowMs;
    this.perUser = limits.create({ name: 'vault-user', points: config.authRateLimitPerEmail, windowMs });
    this.perIp = limits.create({ name: 'vault-ip', points: config.authRateLimitPerIp, windowMs });
  }

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const http = context.switchToHttp();
    const req = http.getRequest<Request & { user?: { id: string } }>();
    const verdicts = await Promise.all([
      this.perUser.take(`user:${req.user?.id ?? 'none'}`),
      this.perIp.take(`ip:${rateLimitAddress(req.ip)}`),
    ]);
    const refused = verdicts.filter((v) => !v.allowed);
    if (refused.length === 0) return true;
    const seconds = Math.max(...refused.map(retryAfterSeconds));
    http.getResponse<Response>().setHeader('Retry-After', String(seconds));
    throw new VaultException(
      VaultErrorCode.TOO_MANY_ATTEMPTS,
      `Too many vault attempts (key export, zero-knowledge); try again in ${seconds} s`,
    );
  }
}
