import 'reflect-metadata';
import type { IncomingMessage, RequestListener, Server, ServerResponse } from 'node:http';
import { ValidationPipe } from '@nestjs/common';
import type { DynamicModule, Type } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';
import { Logger as PinoLogger } from 'nestjs-pino';
import { AppModule } from './app.module.js';
import type { AppConfig } from './config/app-config.js';
import type { DatabaseTarget } from './database/data-source.options.js';
import { HttpExceptionFilter } from './common/http-exception.filter.js';
import { securityHeaders } from './common/security-headers.js';
import { TextSafetyPipe } from './common/text-safety.pipe.js';
import { MetricsService } from './observability/metrics.service.js';
import { authRateLimiters } from './auth/auth-rate-limit.js';
import { RateLimiterFactory } from './database/rate-limits/rate-limiter.factory.js';
import { requestIdMiddleware } from './observability/logger.options.js';
import { AppLogger } from './observability/app.logger.js';
import { McpHttpHandler } from './tools/mcp/mcp-http.handler.js';
import { OAuthRouter } from './oauth/oauth.router.js';

export interface CreateAppOptions {
  /** Modules mounted after the app's own (tests use it for probe controllers). */
  extraModules?: Array<Type | DynamicModule>;
}

/** Builds the fully configured app (used by main.ts, the tests and the benchmarks alike). */
export async function createApp(
  config: AppConfig,
  database: DatabaseTarget,
  options: CreateAppOptions = {},
): Promise<NestExpressApplication> {
  const module = AppModule.forRoot(config, database, options.extraModules);
  const app = await NestFactory.create<NestExpressApplication>(module, {
    bufferLogs: true,
    bodyParser: false,
    abortOnError: false,
  });
  // Nest's module and route lines are debug: the boot shows only what a person acts on
  app.useLogger(new AppLogger(app.get(PinoLogger)));
  app.set('trust proxy', config.trustProxy);
  app.disable('x-powered-by');
  app.use(requestIdMiddleware());
  app.use(securityHeaders());
  app.use(app.get(MetricsService).httpMiddleware());
  app.useBodyParser('json', { limit: config.bodyLimit });
  app.use(
    ['/api/v1/auth/login', '/api/v1/auth/register'],
    ...authRateLimiters(app.get(RateLimiterFactory), config),
  );
  // OAuth for MCP clients: the SDK's auth router and the sign-in forms' parser and rate limits
  app.use(app.get(OAuthRouter).middleware());
  app.useGlobalPipes(
    new TextSafetyPipe(),
    new ValidationPipe({
      whitelist: true,
      forbidNonWhitelisted: true,
      transform: true,
      stopAtFirstError: false,
      validationError: { target: false, value: false },
    }),
  );
  app.useGlobalFilters(new HttpExceptionFilter());
  // No enableShutdownHooks() here: Nest's handler re-raises the signal after closing, which kills
  // the process before main.ts has stopped the embedded database and released its lock. main.ts
  // owns the signals and calls app.close(), which runs the same shutdown hooks.

  serveMcpBeforeExpress(app);

  const openApi = new DocumentBuilder()
    .setTitle('Mana Personas')
    .setDescription('Synthetic users that exercise the app through its MCP tools, and what they found.')
    .setVersion('1')
    .addBearerAuth()
    .addApiKey({ type: 'apiKey', in: 'header', name: 'X-Service-Key' }, 'service-key')
    .build();
  SwaggerModule.setup('api/docs', app, () => SwaggerModule.createDocument(app, openApi));
  return app;
}

/**
 * Puts McpHttpHandler in front of Express on the HTTP server: a request for /mcp goes straight to it,
 * every other request to Express as before. Every MCP tool call is one request, and Express's
 * router and request/response decoration were about a fifth of a tool call's CPU (bench:mcp); the
 * handler applies the same request id, security headers, metrics, body parser, token check and
 * error shape itself.
 */
function serveMcpBeforeExpress(app: NestExpressApplication): void {
  const server = app.getHttpServer() as Server;
  const listeners = server.listeners('request') as RequestListener[];
  if (listeners.length !== 1) {
    throw new Error(`expected Express as the only request listener, found ${listeners.length}`);
  }
  const [express] = listeners;
  const mcp = app.get(McpHttpHandler);
  server.removeListener('request', express);
  server.on('request', (req: IncomingMessage, res: ServerResponse) => {
    if (McpHttpHandler.matches(req)) mcp.handle(req, res);
    else void express(req, res);
  });
}
