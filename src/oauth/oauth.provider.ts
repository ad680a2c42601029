import { Inject, Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { Response } from 'express';
import { jwtVerify } from 'jose';
import { DataSource } from 'typeorm';
import type {
  AuthorizationParams,
  OAuthServerProvider,
} from '@modelcontextprotocol/sdk/server/auth/provider.js';
import type { AuthInfo } from '@modelcontextprotocol/sdk/server/auth/types.js';
import {
  InvalidGrantError,
  InvalidTargetError,
  InvalidTokenError,
} from '@modelcontextprotocol/sdk/server/auth/errors.js';
import type {
  OAuthClientInformationFull,
  OAuthTokenRevocationRequest,
  OAuthTokens,
} from '@modelcontextprotocol/sdk/shared/auth.js';
import { AuthException } from '../auth/auth.exception.js';
import { AuthService } from '../auth/auth.service.js';
import { JWT_ALG, JwtKeysService } from '../auth/tokens/jwt-keys.service.js';
import { UsersService, toAuthUser } from '../auth/users/users.service.js';
import type { UserEntity } from '../auth/users/user.entity.js';
import { isUuid } from '../common/uuid.js';
import { AppConfig } from '../config/app-config.js';
import { OAuthAuthorizationsService } from './oauth-authorizations.service.js';
import type { CodeRedemption } from './oauth-authorizations.service.js';
import { OAuthClientsStore } from './oauth-clients.store.js';
import { OAuthSignInFlow } from './oauth-sign-in.flow.js';

const CODE_REFUSALS: Record<Exclude<CodeRedemption, { ok: true }>['reason'], string> = {
  unknown: 'Authorization code is not valid',
  'other-client': 'Authorization code was issued to another client',
  reused: 'Authorization code was already used; the tokens it issued are revoked',
  expired: 'Authorization code has expired; sign in again',
};

/**
 * The OAuthServerProvider behind the MCP SDK's auth router, backed by this server's accounts:
 * the SDK's handlers validate the requests (client, redirect URI with RFC 8252 loopback ports, PKCE
 * S256, grant types) and call these methods for what only the server knows. Access tokens are the
 * server's own ES256 JWTs with `aud` = the resource they were asked for (only the /mcp resource is
 * offered); refresh tokens live in `refresh_tokens` under the login's family rule (AuthService).
 */
@Injectable()
export class ManaOAuthProvider implements OAuthServerProvider {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    @Inject(AppConfig) private readonly config: AppConfig,
    @Inject(OAuthClientsStore) private readonly clients: OAuthClientsStore,
    @Inject(OAuthAuthorizationsService) private readonly authorizations: OAuthAuthorizationsService,
    @Inject(OAuthSignInFlow) private readonly signIn: OAuthSignInFlow,
    @Inject(AuthService) private readonly auth: AuthService,
    @Inject(UsersService) private readonly users: UsersService,
    @Inject(JwtKeysService) private readonly keys: JwtKeysService,
  ) {}

  get clientsStore(): OAuthClientsStore {
    return this.clients;
  }

  /** The SDK validated client, redirect URI and PKCE; here the person signs in (the sign-in page). */
  async authorize(client: OAuthClientInformationFull, params: AuthorizationParams, res: Response) {
    const resource = this.resourceFor(params.resource);
    await this.signIn.begin(client, params, resource, res);
  }

  async challengeForAuthorizationCode(client: OAuthClientInformationFull, code: string): Promise<string> {
    const found = await this.authorizations.findCode(code, client.client_id);
    if (!found.ok) throw new InvalidGrantError(CODE_REFUSALS[found.reason]);
    return found.authorization.codeChallenge;
  }

  async exchangeAuthorizationCode(
    client: OAuthClientInformationFull,
    code: string,
    _codeVerifier?: string,
    redirectUri?: string,
    resource?: URL,
  ): Promise<OAuthTokens> {
    const found = await this.authorizations.findCode(code, client.client_id);
    if (!found.ok) throw new InvalidGrantError(CODE_REFUSALS[found.reason]);
    if (redirectUri !== undefined && redirectUri !== found.authorization.redirectUri) {
      throw new InvalidGrantError('redirect_uri is not the one the code was issued for');
    }
    if (resource && resource.href !== found.authorization.resource) {
      throw new InvalidTargetError('resource is not the one the code was issued for');
    }
    // a refusal found inside is returned, not thrown: a throw would roll back the reuse revocation
    const outcome = await this.dataSource.transaction(async (m) => {
      const redeemed = await this.authorizations.redeem(m, code, client.client_id);
      if (!redeemed.ok) return redeemed;
      const { authorization } = redeemed;
      const user = await this.users.findById(authorization.userId as string, m);
      if (!user || user.disabledAt || user.kind !== 'human') {
        return { ok: false as const, reason: 'unknown' as const };
      }
      const tokens = await this.tokensFor(user, authorization.id, {
        clientId: client.client_id,
        resource: authorization.resource,
        scopes: authorization.scopes,
      });
      const refresh = await this.auth.issueRefreshToken(user, authorization.id, m, {
        clientId: client.client_id,
        resource: authorization.resource,
      });
      return { ok: true as const, tokens: { ...tokens, refresh_token: refresh } };
    });
    if (!outcome.ok) throw new InvalidGrantError(CODE_REFUSALS[outcome.reason]);
    return outcome.tokens;
  }

  async exchangeRefreshToken(
    client: OAuthClientInformationFull,
    refreshToken: string,
    _scopes?: string[],
    resource?: URL,
  ): Promise<OAuthTokens> {
    try {
      return await this.auth.rotateRefreshToken(refreshToken, client.client_id, async (user, spent, m) => {
        const bound = spent.resource ?? this.config.mcpResourceUrl();
        if (resource && resource.href !== bound) {
          throw new InvalidTargetError('resource is not the one the refresh token was issued for');
        }
        if (user.kind !== 'human') throw new InvalidGrantError('This account cannot use OAuth clients');
        const tokens = await this.tokensFor(user, spent.familyId, {
          clientId: client.client_id,
          resource: bound,
          scopes: 'mcp',
        });
        const refresh = await this.auth.issueRefreshToken(user, spent.familyId, m, {
          clientId: client.client_id,
          resource: bound,
        });
        return { ...tokens, refresh_token: refresh };
      });
    } catch (error) {
      if (error instanceof AuthException) throw new InvalidGrantError(error.message);
      throw error;
    }
  }

  /** For the SDK's bearer middleware (this server checks /mcp tokens in JwtStrategy instead). */
  async verifyAccessToken(token: string): Promise<AuthInfo> {
    try {
      const { payload } = await jwtVerify(token, this.keys.publicKey, {
        algorithms: [JWT_ALG],
        issuer: this.config.jwtIssuer,
        audience: this.config.mcpResourceUrl(),
      });
      return {
        token,
        clientId: String(payload.client_id ?? ''),
        scopes: typeof payload.scope === 'string' ? payload.scope.split(' ').filter(Boolean) : [],
        expiresAt: payload.exp,
        resource: new URL(this.config.mcpResourceUrl()),
        extra: { userId: payload.sub },
      };
    } catch {
      throw new InvalidTokenError('Access token is not valid for this resource');
    }
  }

  /**
   * RFC 7009: a refresh token revokes its whole family, and so the grant: its access tokens are
   * refused from the next request on (within AUTH_USER_CACHE_MS on other instances; they name the
   * family in `sid`). An access token of this client revokes its grant the same way (RFC 7009 §2.1
   * lets a server revoke the related tokens and the grant). Anything else is accepted and changes
   * nothing, as the RFC asks.
   */
  async revokeToken(client: OAuthClientInformationFull, request: OAuthTokenRevocationRequest) {
    if (await this.auth.revokeClientRefreshToken(request.token, client.client_id)) return;
    const grant = await this.grantOfAccessToken(request.token, client.client_id);
    if (grant) await this.auth.revokeRefreshFamily(grant);
  }

  /** The grant (`sid`) of an access token this server issued to `clientId`, if `token` is one. */
  private async grantOfAccessToken(token: string, clientId: string): Promise<string | undefined> {
    try {
      const { payload } = await jwtVerify(token, this.keys.publicKey, {
        algorithms: [JWT_ALG],
        issuer: this.config.jwtIssuer,
        audience: this.config.mcpResourceUrl(),
      });
      return payload.client_id === clientId && isUuid(payload.sid) ? payload.sid : undefined;
    } catch {
      return undefined;
    }
  }

  /** RFC 8707: this server offers one resource, /mcp; a request without one gets it too. */
  private resourceFor(requested: URL | undefined): string {
    const ours = new URL(this.config.mcpResourceUrl()).href;
    if (requested && requested.href.replace(/\/$/, '') !== ours.replace(/\/$/, '')) {
      throw new InvalidTargetError(`This server issues tokens only for ${ours}`);
    }
    return ours;
  }

  /** An access token for the grant `familyId` (its `sid`), under the account's current token version. */
  private async tokensFor(
    user: UserEntity,
    familyId: string,
    grant: { clientId: string; resource: string; scopes: string },
  ) {
    const scope = grant.scopes || 'mcp';
    const { token, expiresIn } = await this.keys.signAccessToken(toAuthUser(user), {
      audience: grant.resource,
      claims: { client_id: grant.clientId, scope },
      session: { familyId, tokenVersion: user.tokenVersion },
    });
    return { access_token: token, token_type: 'Bearer', expires_in: expiresIn, scope };
  }
}
