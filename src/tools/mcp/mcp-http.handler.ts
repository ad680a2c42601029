import type { IncomingMessage, ServerResponse } from 'node:http';
import { performance } from 'node:perf_hooks';
import { Inject, Injectable } from '@nestjs/common';
import bodyParser from 'body-parser';
import { PinoLogger } from 'nestjs-pino';
import { RequestAuthenticator } from '../../auth/tokens/request-authenticator.js';
import { HttpExceptionFilter } from '../../common/http-exception.filter.js';
import { securityHeaders } from '../../common/security-headers.js';
import type { NodeMiddleware } from '../../common/security-headers.js';
import { AppConfig } from '../../config/app-config.js';
import {
  requestElapsedMs,
  requestIdMiddleware,
  requestLogLevel,
} from '../../observability/logger.options.js';
import { setSpanAttributes, traceServerRequest } from '../../observability/tracing.js';
import { MetricsService } from '../../observability/metrics.service.js';
import { bearerChallenge } from '../../auth/tokens/bearer-challenge.js';
import { ToolsErrorCode, ToolsException } from '../tools.exception.js';
import { McpGateway } from './mcp.gateway.js';
import { McpOriginPolicy } from './mcp-origin.policy.js';
import type { McpHttpRequest } from './mcp-session.manager.js';

const METHODS = new Set(['GET', 'POST', 'DELETE']);
const PATH = /^\/mcp\/?(\?|$)/;

/**
 * /mcp, served on the HTTP server in front of Express (app.factory.ts sends it every request that
 * `matches`). Every MCP tool call is one HTTP request, so this lane does itself, with the same
 * pieces, what the app-wide middleware and Nest's guard do for other routes, in this order:
 * request id, security headers (helmet, same policy), HTTP metrics (route "/mcp"), Origin/Host
 * check (403), method (405), JSON body within BODY_LIMIT (body-parser; 400/413), the bearer check of
 * every REST route (JwtAuthGuard's passport-jwt strategy and messages; 401), then the gateway.
 * Errors are answered by the app's exception filter in the one JSON error shape; each request gets
 * one log line, and everything logged while serving it carries its id.
 */
@Injectable()
export class McpHttpHandler {
  private readonly readJson: NodeMiddleware;
  private readonly assignRequestId = requestIdMiddleware();
  private readonly secureHeaders = securityHeaders();
  private readonly errors = new HttpExceptionFilter();

  constructor(
    @Inject(AppConfig) private readonly config: AppConfig,
    @Inject(McpOriginPolicy) private readonly origins: McpOriginPolicy,
    @Inject(RequestAuthenticator) private readonly auth: RequestAuthenticator,
    @Inject(McpGateway) private readonly gateway: McpGateway,
    @Inject(MetricsService) private readonly metrics: MetricsService,
    @Inject(PinoLogger) private readonly pino: PinoLogger,
  ) {
    this.readJson = bodyParser.json({ limit: this.config.bodyLimit });
  }

  /** `/mcp` or `/mcp/`, with or without a query string; paths below it are not MCP. */
  static matches(req: IncomingMessage): boolean {
    return PATH.test(req.url ?? '');
  }

  handle(req: IncomingMessage, res: ServerResponse): void {
    this.assignRequestId(req, res, () => undefined);
    this.secureHeaders(req, res, () => undefined);
    this.metrics.observe(res, req.method, () => '/mcp');
    const bindings = { req: { id: req.id, method: req.method, url: '/mcp' } };
    // the request's server span (when tracing is on) continues the caller's traceparent
    traceServerRequest(req, res, '/mcp', () =>
      this.pino.runInContext(() => this.serve(req as McpHttpRequest, res), { bindings }),
    ).catch((error: unknown) => {
      // serve() answers every error itself; this is the answer failing (never an unhandled rejection)
      this.pino.error({ err: error, requestId: req.id }, 'could not answer an /mcp request');
      res.destroy();
    });
  }

  private async serve(req: McpHttpRequest, res: ServerResponse): Promise<void> {
    this.logCompletion(req, res);
    try {
      this.origins.assertAllowed(req);
      if (!METHODS.has(req.method ?? '')) {
        res.setHeader('Allow', 'GET, POST, DELETE');
        throw new ToolsException(
          ToolsErrorCode.METHOD_NOT_ALLOWED,
          `${req.method} is not supported on /mcp: use POST for messages, GET for the event stream, DELETE to end a session`,
        );
      }
      if (req.method === 'POST') await this.readBody(req, res);
      if (req.method === 'POST') setSpanAttributes(mcpSpanAttributes(req.body));
      const user = await this.auth.authenticate(req, res);
      await this.gateway.handle(req, res, user);
    } catch (error) {
      // a 401 names the OAuth protected-resource metadata, where MCP clients start signing in
      const challenge = bearerChallenge(this.config, error);
      if (challenge && !res.headersSent) res.setHeader('WWW-Authenticate', challenge);
      this.errors.send(req, res, error);
    }
  }

  private readBody(req: IncomingMessage, res: ServerResponse): Promise<void> {
    return new Promise((resolve, reject) =>
      this.readJson(req, res, (err?: unknown) => (err ? reject(err as Error) : resolve())),
    );
  }

  /**
   * One line per request by the app's request-log rule (requestLogLevel: failed and slow ones, every
   * one with LOG_REQUESTS). The response itself goes to pino's `res` serializer, as pino-http does,
   * so the line carries the status code that was sent.
   */
  private logCompletion(req: IncomingMessage, res: ServerResponse): void {
    const log = this.pino.logger;
    const started = performance.now();
    res.once('close', () => {
      const responseTime = Math.round(performance.now() - started);
      // a GET is the client's standalone event stream: it lasts as long as the client keeps it open,
      // so its duration says nothing about the server's speed (no `slow` line for it)
      const elapsed = req.method === 'GET' ? 0 : requestElapsedMs(req);
      const level = requestLogLevel(this.config, res.statusCode, elapsed);
      if (level === 'silent' || !log.isLevelEnabled(level)) return;
      log[level]({ res, responseTime }, res.writableFinished ? 'request completed' : 'request aborted');
    });
  }
}

/** What the /mcp server span says about the JSON-RPC message (method; the tool of a tools/call). */
function mcpSpanAttributes(body: unknown): Record<string, string> {
  const message = (Array.isArray(body) ? body[0] : body) as
    { method?: unknown; params?: { name?: unknown } } | undefined;
  const out: Record<string, string> = {};
  if (typeof message?.method === 'string') out['mcp.method.name'] = message.method;
  if (message?.method === 'tools/call' && typeof message.params?.name === 'string') {
    out['gen_ai.tool.name'] = message.params.name;
  }
  return out;
}
