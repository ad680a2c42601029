import type { NextFunction, Request, RequestHandler, Response } from 'express';
import type { AppConfig } from '../config/app-config.js';
import { rateLimitAddress } from '../common/client-address.js';
import type { RateLimiterFactory } from '../database/rate-limits/rate-limiter.factory.js';
import { retryAfterSeconds } from '../database/rate-limits/shared-rate-limiter.js';
import type { RateVerdict, SharedRateLimiter } from '../database/rate-limits/shared-rate-limiter.js';

/**
 * Which password form a budget guards: login and sign-up share one; the OAuth sign-in and consent
 * forms each have their own (oauth.router.ts), as they did when the budgets were counted in memory.
 */
export type AuthRateScope = 'auth' | 'oauth-sign-in' | 'oauth-consent';

/**
 * Login and sign-up throttles: one budget per client address (AUTH_RATE_LIMIT_PER_IP; an IPv6 client
 * by its /56) and one per target email (AUTH_RATE_LIMIT_PER_EMAIL; a body without an email string
 * counts against its address), per AUTH_RATE_WINDOW_MS, so neither a single client nor a spread-out
 * attack on one account gets far. Every attempt counts; the per-address budget is asked first, and an
 * attempt it refuses is not counted against the email. Counted in the database
 * (RateLimiterFactory): every instance on it shares each budget, so a client spreading its attempts
 * across instances is refused at the same attempt as against one. If the database does not answer,
 * each instance counts in its own memory meanwhile (see SharedRateLimiter): a password form must not
 * open up while its limit cannot be read, and login itself needs the database anyway.
 *
 * Answers 429 with Retry-After (seconds until the key's window ends) in the common error shape; the
 * per-address budget also sends the draft-7 `RateLimit-Policy` and `RateLimit` headers.
 * Returns `[perAddress, perEmail]`.
 */
export function authRateLimiters(
  limits: RateLimiterFactory,
  config: AppConfig,
  scope: AuthRateScope = 'auth',
): RequestHandler[] {
  const windowMs = config.authRateWindowMs;
  const perIp = limits.create({ name: `${scope}-ip`, points: config.authRateLimitPerIp, windowMs });
  const perEmail = limits.create({ name: `${scope}-email`, points: config.authRateLimitPerEmail, windowMs });
  return [
    middleware(perIp, (req) => rateLimitAddress(req.ip), true),
    middleware(perEmail, (req) => {
      const email = (req.body as { email?: unknown } | undefined)?.email;
      return typeof email === 'string'
        ? `email:${email.trim().toLowerCase()}`
        : `noemail:${rateLimitAddress(req.ip)}`;
    }),
  ];
}

function middleware(
  limiter: SharedRateLimiter,
  keyOf: (req: Request) => string,
  policyHeaders = false,
): RequestHandler {
  return (req: Request, res: Response, next: NextFunction) => {
    void limiter.take(keyOf(req)).then((verdict) => {
      if (policyHeaders) setPolicyHeaders(res, limiter, verdict);
      if (verdict.allowed) return next();
      const seconds = retryAfterSeconds(verdict);
      res.setHeader('Retry-After', String(seconds));
      res.status(429).json({
        statusCode: 429,
        error: 'Too Many Requests',
        message: `Too many sign-in or sign-up attempts; try again in ${seconds} s`,
        requestId: req.id === undefined ? undefined : String(req.id),
      });
    }, next);
  };
}

/** IETF draft-7 rate-limit headers (as express-rate-limit sent them before). */
function setPolicyHeaders(res: Response, limiter: SharedRateLimiter, verdict: RateVerdict): void {
  const reset = Math.ceil(verdict.msBeforeReset / 1000);
  res.setHeader('RateLimit-Policy', `${limiter.points};w=${Math.ceil(limiter.windowMs / 1000)}`);
  res.setHeader('RateLimit', `limit=${limiter.points}, remaining=${verdict.remaining}, reset=${reset}`);
}
