import { randomUUID } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import type { Params } from 'nestjs-pino';
import pino from 'pino';
import type { DestinationStream } from 'pino';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AppConfig } from '../config/app-config.js';
import prettyTransport from './pretty.transport.js';

const REQUEST_ID = /^[A-Za-z0-9._-]{1,64}$/;
/** When each request arrived, for the slow-request rule (set first in the chain, by requestIdMiddleware). */
const arrivals = new WeakMap<IncomingMessage, number>();

/** Takes a sane X-Request-Id from the caller or makes one, and echoes it on the response. */
export function requestIdMiddleware() {
  return (req: IncomingMessage, res: ServerResponse, next: () => void) => {
    arrivals.set(req, performance.now());
    const given = req.headers['x-request-id'];
    req.id = typeof given === 'string' && REQUEST_ID.test(given) ? given : randomUUID();
    res.setHeader('X-Request-Id', String(req.id));
    next();
  };
}

/** Milliseconds since the request arrived (0 when it never passed requestIdMiddleware). */
export function requestElapsedMs(req: IncomingMessage): number {
  const at = arrivals.get(req);
  return at === undefined ? 0 : performance.now() - at;
}

export type RequestLogLevel = 'error' | 'warn' | 'info' | 'silent';

/**
 * The one rule for request lines, on both lanes (Express and /mcp): a failed request (4xx warn,
 * 5xx error) and a slow one (≥ LOG_SLOW_MS, warn) are always logged; any other only with
 * LOG_REQUESTS=true.
 */
export function requestLogLevel(
  config: Pick<AppConfig, 'logRequests' | 'logSlowMs'>,
  status: number,
  elapsedMs: number,
  err?: unknown,
): RequestLogLevel {
  if (err || status >= 500) return 'error';
  if (status >= 400) return 'warn';
  if (elapsedMs >= config.logSlowMs) return 'warn';
  return config.logRequests ? 'info' : 'silent';
}

/** Human-readable lines: asked for (LOG_FORMAT=pretty), or a terminal in development (auto). */
export function prettyConsole(config: Pick<AppConfig, 'logFormat' | 'nodeEnv'>): boolean {
  if (config.logFormat !== 'auto') return config.logFormat === 'pretty';
  return config.nodeEnv === 'development' && process.stdout.isTTY === true;
}

const QUIET_PATHS = new Set(['/health', '/health/ready', '/metrics']);

/**
 * Where the lines go: JSON lines on stdout, or pino-pretty's readable lines when `prettyConsole`.
 * Both write synchronously, in this thread, so a line is on the screen before the next statement
 * runs: main.ts's banner and first-admin block (plain writes to stdout) land exactly where the boot
 * sequence puts them, never interleaved with log lines still queued elsewhere.
 */
function logDestination(config: AppConfig): DestinationStream {
  if (!prettyConsole(config)) return pino.destination({ dest: 1, sync: true });
  return prettyTransport({ colorize: process.stdout.hasColors?.() ?? false, slowMs: config.logSlowMs });
}

/**
 * nestjs-pino: JSON lines (one object a line, for log shippers), or readable lines when
 * `prettyConsole`; a request id on every line; secrets redacted.
 */
export function loggerOptions(config: AppConfig): Params {
  return {
    pinoHttp: [
      {
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
            'res.headers.location', // OAuth redirects carry the authorization code
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
        customLogLevel: (req: IncomingMessage, res: ServerResponse, err?: Error) =>
          requestLogLevel(config, res.statusCode, requestElapsedMs(req), err),
      },
      logDestination(config),
    ],
  };
}
