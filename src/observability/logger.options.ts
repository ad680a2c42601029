import { randomUUID } from 'node:crypto';
import type { Params } from 'nestjs-pino';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AppConfig } from '../config/app-config.js';

const REQUEST_ID = /^[A-Za-z0-9._-]{1,64}$/;

/** Takes a sane X-Request-Id from the caller or makes one, and echoes it on the response. */
export function requestIdMiddleware() {
  return (req: IncomingMessage, res: ServerResponse, next: () => void) => {
    const given = req.headers['x-request-id'];
    req.id = typeof given === 'string' && REQUEST_ID.test(given) ? given : randomUUID();
    res.setHeader('X-Request-Id', String(req.id));
    next();
  };
}
const QUIET_PATHS = new Set(['/health', '/health/ready', '/metrics']);

/** nestjs-pino: JSON lines, a request id on every line, secrets redacted. */
export function loggerOptions(config: AppConfig): Params {
  return {
    pinoHttp: {
      level: config.logLevel,
      // the id is assigned by requestIdMiddleware, first in the chain, so errors raised before
      // Nest's middleware (body parsing) carry it too
      genReqId: (req: IncomingMessage) => req.id ?? randomUUID(),
      redact: {
        paths: [
          'req.headers.authorization',
          'req.headers.cookie',
          'req.headers["x-service-key"]',
          'res.headers["set-cookie"]',
          '*.password',
          '*.accessToken',
          '*.refreshToken',
          '*.apiKey',
          '*.token',
        ],
        censor: '[redacted]',
      },
      serializers: {
        // the URL's query string can carry anything a client chose to put there; keep the path only
        req: (req: { id: string; method: string; url: string }) => ({
          id: req.id,
          method: req.method,
          url: req.url?.split('?')[0],
        }),
      },
      autoLogging: { ignore: (req: IncomingMessage) => QUIET_PATHS.has((req.url ?? '').split('?')[0]) },
      customLogLevel: (_req: IncomingMessage, res: ServerResponse, err?: Error) =>
        err || res.statusCode >= 500 ? 'error' : res.statusCode >= 400 ? 'warn' : 'info',
    },
  };
}
