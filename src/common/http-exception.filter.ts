import { ArgumentsHost, Catch, HttpException, HttpStatus, Logger } from '@nestjs/common';
import type { ExceptionFilter } from '@nestjs/common';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Request, Response } from 'express';
import { QueryFailedError } from 'typeorm';
import { DomainException } from './domain.exception.js';

export interface ErrorBody {
  statusCode: number;
  error: string;
  message: string;
  requestId?: string;
}

/** Postgres error codes that mean "the client sent something unusable", not a server fault. */
const CLIENT_PG_CODES: Record<string, [number, string]> = {
  '22P02': [400, 'A value has the wrong format'],
  '22001': [400, 'A value is too long'],
  '22021': [400, 'A text value contains bytes that are not valid UTF-8 (for example a NUL character)'],
  '22P05': [400, 'A text value contains a character the database cannot store (for example \\u0000)'],
  '22007': [400, 'A date or time value is invalid'],
  '22008': [400, 'A date or time value is out of range'],
  '22003': [400, 'A number is out of range'],
  '23505': [409, 'That already exists'],
  '23503': [409, 'A referenced record does not exist'],
};

/**
 * One JSON error shape for every 4xx/5xx: { statusCode, error, message, requestId }.
 * Unknown errors are logged with their stack and answered as a plain 500 with no internals.
 */
@Catch()
export class HttpExceptionFilter implements ExceptionFilter {
  private readonly logger = new Logger(HttpExceptionFilter.name);

  catch(exception: unknown, host: ArgumentsHost): void {
    const ctx = host.switchToHttp();
    this.send(ctx.getRequest<Request>(), ctx.getResponse<Response>(), exception);
  }

  /**
   * Answers `exception` on `res` with plain Node calls, so it serves Express's responses and those
   * of the /mcp lane in front of Express (McpHttpHandler) alike.
   */
  send(req: IncomingMessage, res: ServerResponse, exception: unknown): void {
    const body = this.toBody(exception);
    body.requestId = req.id === undefined ? undefined : String(req.id);
    if (body.statusCode >= 500) {
      this.logger.error(
        { err: exception, requestId: body.requestId },
        `unhandled error on ${req.method} ${pathOf(req)}`,
      );
    }
    if (res.headersSent) {
      res.end();
      return;
    }
    if (body.statusCode === 401 && !res.getHeader('WWW-Authenticate')) {
      res.setHeader(
        'WWW-Authenticate',
        `Bearer error="invalid_token", error_description="${body.message.replace(/"/g, "'")}"`,
      );
    }
    const json = JSON.stringify(body);
    res.statusCode = body.statusCode;
    res.setHeader('Content-Type', 'application/json; charset=utf-8');
    res.setHeader('Content-Length', Buffer.byteLength(json));
    res.end(json);
  }

  toBody(exception: unknown): ErrorBody {
    // Nest wraps body-parser failures in an HttpException whose cause is the parser's error; answer
    // those with our own words (the parser's message can quote fragments of the body)
    const parserError = (exception instanceof HttpException ? exception.cause : exception) as
      { type?: string } | undefined;
    if (parserError?.type === 'entity.too.large') {
      return { statusCode: 413, error: statusText(413), message: 'Request body is larger than the limit' };
    }
    if (parserError?.type === 'entity.parse.failed') {
      return { statusCode: 400, error: statusText(400), message: 'Request body is not valid JSON' };
    }
    if (exception instanceof DomainException) {
      return {
        statusCode: exception.status,
        error: statusText(exception.status),
        message: exception.message,
      };
    }
    if (exception instanceof HttpException) {
      const status = exception.getStatus();
      const response = exception.getResponse();
      let message = exception.message;
      if (typeof response === 'object' && response !== null && 'message' in response) {
        const m = (response as { message: unknown }).message;
        message = Array.isArray(m) ? m.join('; ') : String(m);
      }
      return { statusCode: status, error: statusText(status), message };
    }
    const bodyParserError = exception as {
      type?: string;
      status?: number;
      expose?: boolean;
      message?: string;
    };
    if (bodyParserError?.expose && bodyParserError.status && bodyParserError.status < 500) {
      return {
        statusCode: bodyParserError.status,
        error: statusText(bodyParserError.status),
        message: bodyParserError.message ?? 'Bad request',
      };
    }
    if (exception instanceof QueryFailedError) {
      const code = (exception.driverError as { code?: string } | undefined)?.code;
      const known = code ? CLIENT_PG_CODES[code] : undefined;
      if (known) return { statusCode: known[0], error: statusText(known[0]), message: known[1] };
    }
    if (isDatabaseUnavailable(exception)) {
      return {
        statusCode: 503,
        error: statusText(503),
        message: 'The database is unavailable; try again shortly',
      };
    }
    return { statusCode: 500, error: statusText(500), message: 'Internal server error' };
  }
}

/** Connection-level failures (server down, restarting, pool cannot connect): a 503, not a bug. */
const UNAVAILABLE_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'EPIPE',
  '57P01',
  '57P02',
  '57P03',
  '08000',
  '08001',
  '08003',
  '08006',
]);

function isDatabaseUnavailable(exception: unknown): boolean {
  const candidates = [exception, (exception as { driverError?: unknown })?.driverError];
  return candidates.some((e) => {
    if (!e || typeof e !== 'object') return false;
    const { code, message } = e as { code?: unknown; message?: unknown };
    if (typeof code === 'string' && UNAVAILABLE_CODES.has(code)) return true;
    return (
      typeof message === 'string' &&
      /Connection terminated|timeout exceeded when trying to connect|connect ECONNREFUSED|Client has encountered a connection error/.test(
        message,
      )
    );
  });
}

function statusText(status: number): string {
  const name = HttpStatus[status];
  if (!name) return 'Error';
  return name
    .toLowerCase()
    .split('_')
    .map((w) => w[0].toUpperCase() + w.slice(1))
    .join(' ');
}

/** The path of a request without its query string (Express keeps the unstripped URL in originalUrl). */
function pathOf(req: IncomingMessage): string {
  return ((req as { originalUrl?: string }).originalUrl ?? req.url ?? '').split('?')[0];
}
