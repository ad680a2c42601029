import { Inject, Injectable, Logger } from '@nestjs/common';
import express from 'express';
import type { NextFunction, Request, RequestHandler } from 'express';
import { mcpAuthRouter } from '@modelcontextprotocol/sdk/server/auth/router.js';
import { metadataHandler } from '@modelcontextprotocol/sdk/server/auth/handlers/metadata.js';
import type { OAuthProtectedResourceMetadata } from '@modelcontextprotocol/sdk/shared/auth.js';
import { authRateLimiters } from '../auth/auth-rate-limit.js';
import { AppConfig } from '../config/app-config.js';
import { RateLimiterFactory } from '../database/rate-limits/rate-limiter.factory.js';
import { OAuthClientsStore } from './oauth-clients.store.js';
import { ManaOAuthProvider } from './oauth.provider.js';

const LOOPBACK = new Set(['localhost', '127.0.0.1', '[::1]']);

/**
 * The OAuth endpoints, mounted at the app root ahead of Nest's routes (app.factory.ts):
 * - the MCP SDK's `mcpAuthRouter`: RFC 8414 metadata (/.well-known/oauth-authorization-server),
 *   /authorize, /token, /register (RFC 7591), /revoke (RFC 7009), and RFC 9728 protected resource
 *   metadata for /mcp (/.well-known/oauth-protected-resource/mcp), with the same document at
 *   /.well-known/oauth-protected-resource for clients that look there first;
 * - the sign-in and consent forms' body parser and the login rate limits (per IP, per email; shared
 *   by every instance on the database, auth-rate-limit.ts);
 * - on /token and /revoke, the hashed-secret step of OAuthClientsStore before the SDK's client check.
 * The SDK refuses an issuer that is neither https nor loopback, so OAuth stays off (and says so)
 * until PUBLIC_URL names an https address.
 */
@Injectable()
export class OAuthRouter {
  private readonly logger = new Logger(OAuthRouter.name);

  constructor(
    @Inject(AppConfig) private readonly config: AppConfig,
    @Inject(ManaOAuthProvider) private readonly provider: ManaOAuthProvider,
    @Inject(OAuthClientsStore) private readonly clients: OAuthClientsStore,
    @Inject(RateLimiterFactory) private readonly limits: RateLimiterFactory,
  ) {}

  middleware(): RequestHandler {
    const router = express.Router();
    const issuer = new URL(this.config.externalUrl());
    if (issuer.protocol !== 'https:' && !LOOPBACK.has(issuer.hostname)) {
      this.logger.warn(
        `OAuth sign-in for MCP clients is off: ${issuer.origin} is neither https nor loopback; set PUBLIC_URL to the https address clients use`,
      );
      return router;
    }
    const rateLimit = { windowMs: this.config.authRateWindowMs, max: this.config.authRateLimitPerIp };
    const form = express.urlencoded({ extended: false, limit: '16kb' });
    router.post('/oauth/sign-in', form, ...authRateLimiters(this.limits, this.config, 'oauth-sign-in'));
    router.post('/oauth/consent', form, authRateLimiters(this.limits, this.config, 'oauth-consent')[0]);
    router.use(['/token', '/revoke'], form, (req, _res, next) => void this.hashedSecret(req, next));
    const resource: OAuthProtectedResourceMetadata = {
      resource: this.config.mcpResourceUrl(),
      authorization_servers: [issuer.href],
      scopes_supported: ['mcp'],
      resource_name: 'Mana',
      bearer_methods_supported: ['header'],
    };
    router.use('/.well-known/oauth-protected-resource/mcp', metadataHandler(resource));
    router.use('/.well-known/oauth-protected-resource', metadataHandler(resource));
    router.use(
      mcpAuthRouter({
        provider: this.provider,
        issuerUrl: issuer,
        resourceServerUrl: new URL(this.config.mcpResourceUrl()),
        scopesSupported: ['mcp'],
        resourceName: 'Mana',
        authorizationOptions: { rateLimit },
        tokenOptions: { rateLimit },
        revocationOptions: { rateLimit },
        clientRegistrationOptions: { rateLimit, clientSecretExpirySeconds: 0 },
      }),
    );
    return router;
  }

  private async hashedSecret(req: Request, next: NextFunction): Promise<void> {
    try {
      const body = req.body as Record<string, unknown> | undefined;
      if (body && typeof body.client_id === 'string' && typeof body.client_secret === 'string') {
        body.client_secret = await this.clients.presentedSecret(body.client_id, body.client_secret);
      }
      next();
    } catch (error) {
      next(error);
    }
  }
}
