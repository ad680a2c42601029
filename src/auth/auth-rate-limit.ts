import { rateLimit, ipKeyGenerator } from 'express-rate-limit';
import type { RequestHandler, Request, Response } from 'express';
import type { AppConfig } from '../config/app-config.js';

/**
 * Login and sign-up throttles (express-rate-limit, in memory): one budget per client IP and one
 * per target email, so neither a single client nor a spread-out attack on one account gets far.
 * Answers 429 with Retry-After in the common error shape.
 */
export function authRateLimiters(config: AppConfig): RequestHandler[] {
  const handler = (req: Request, res: Response, _next: unknown, options: { windowMs: number }) => {
    const retryAfter = Math.ceil(options.windowMs / 1000);
    if (!res.getHeader('Retry-After')) res.setHeader('Retry-After', String(retryAfter));
    res.status(429).json({
      statusCode: 429,
      error: 'Too Many Requests',
      message: `Too many sign-in or sign-up attempts; try again in ${res.getHeader('Retry-After')} s`,
      requestId: req.id === undefined ? undefined : String(req.id),
    });
  };
  const perIp = rateLimit({
    windowMs: config.authRateWindowMs,
    limit: config.authRateLimitPerIp,
    standardHeaders: 'draft-7',
    legacyHeaders: false,
    keyGenerator: (req) => `ip:${ipKeyGenerator(req.ip ?? 'unknown')}`,
    handler,
  });
  const perEmail = rateLimit({
    windowMs: config.authRateWindowMs,
    limit: config.authRateLimitPerEmail,
    standardHeaders: false,
    legacyHeaders: false,
    keyGenerator: (req) => {
      const email = (req.body as { email?: unknown } | undefined)?.email;
      return typeof email === 'string'
        ? `email:${email.trim().toLowerCase()}`
        : `noemail:${ipKeyGenerator(req.ip ?? '')}`;
    },
    handler,
  });
  return [perIp, perEmail];
}
