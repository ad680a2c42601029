import { performance } from 'node:perf_hooks';
import { Inject, Injectable } from '@nestjs/common';
import bodyParser from 'body-parser';
import type { NextFunction, Request, RequestHandler, Response } from 'express';
import { PinoLogger } from 'nestjs-pino';
import { RequestAuthenticator } from '../../auth/request-authenticator.js';
import { HttpExceptionFilter } from '../../common/http-exception.filter.js';
import { AppConfig } from '../../config/app-config.js';
import { ToolsErrorCode, ToolsException } from '../tools.exception.js';
import { McpGateway } from './mcp.gateway.js';
import { McpOriginPolicy } from './mcp-origin.policy.js';
import type { McpHttpRequest } from './mcp-session.manager.js';

const METHODS = new Set(['GET', 'POST', 'DELETE']);

/**
 * /mcp, mounted on the Express app ahead of Nest's router (see app.factory.ts). Every MCP tool call
 * is one HTTP request, so this path skips what it does not use — route matching, the guard and
 * pipe machinery, per-route middleware — and does the rest itself, in this order:
 * Origin/Host check (403), method (405), JSON body within BODY_LIMIT (400/413), the same bearer
 * check as every REST route (JwtAuthGuard's strategy and messages, 401), then the gateway.
 * The request id, security headers and HTTP metrics come from the app-wide middleware mounted
 * before it; errors are answered by the app's exception filter in the one JSON error shape; each
 * request gets one log line, and everything logged while serving it carries its id.
 */
@Injectable()
export class McpHttpHandler {
  private readonly readJson: RequestHandler;
  private readonly errors = new HttpExceptionFilter();

  constructor(
    @Inject(AppConfig) config: AppConfig,
    @Inject(McpOriginPolicy) private readonly origins: McpOriginPolicy,
    @Inject(RequestAuthenticator) private readonly auth: RequestAuthenticator,
    @Inject(McpGateway) private readonly gateway: McpGateway,
    @Inject(PinoLogger) private readonly pino: PinoLogger,
  ) {
    this.readJson = bodyParser.json({ limit: config.bodyLimit });
  }

  /** Express middleware for `app.use('/mcp', …)`: serves /mcp itself, passes anything below it on. */
  readonly middleware = (req: Request, res: Response, next: NextFunction): void => {
    if (req.path !== '/') {
      next();
      return;
    }
    const bindings = { req: { id: req.id, method: req.method, url: '/mcp' } };
    void bindings;
    void this.serve(req, res);
  };

  private async serve(req: Request, res: Response): Promise<void> {
    this.logCompletion(res);
    try {
      this.origins.assertAllowed(req);
      if (!METHODS.has(req.method)) {
        res.setHeader('Allow', 'GET, POST, DELETE');
        throw new ToolsException(
          ToolsErrorCode.METHOD_NOT_ALLOWED,
          `${req.method} is not supported on /mcp: use POST for messages, GET for the event stream, DELETE to end a session`,
        );
      }
      if (req.method === 'POST') await this.readBody(req, res);
      const user = await this.auth.authenticate(req, res);
      await this.gateway.handle(req as McpHttpRequest, res, user);
    } catch (error) {
      this.errors.send(req, res, error);
    }
  }

  private readBody(req: Request, res: Response): Promise<void> {
    return new Promise((resolve, reject) =>
      this.readJson(req, res, (err?: unknown) => (err ? reject(err) : resolve())),
    );
  }

  /** One line per request, at the level the rest of the app uses (info, warn for 4xx, error for 5xx). */
  private logCompletion(res: Response): void {
    const log = this.pino.logger;
    const started = performance.now();
    res.once('close', () => {
      const status = res.statusCode;
      const level = status >= 500 ? 'error' : status >= 400 ? 'warn' : 'info';
      if (!log.isLevelEnabled(level)) return;
      const responseTime = Math.round(performance.now() - started);
      log[level](
        { res: { statusCode: status }, responseTime },
        res.writableFinished ? 'request completed' : 'request aborted',
      );
    });
  }
}
