import { Inject, Injectable } from '@nestjs/common';
import { PassportStrategy } from '@nestjs/passport';
import type { Request } from 'express';
import { ExtractJwt, Strategy } from 'passport-jwt';
import { AppConfig } from '../../config/app-config.js';
import { JWT_ALG, JwtKeysService } from './jwt-keys.service.js';
import { PersonalAccessTokenService } from './personal-access-token.service.js';
import { UsersService } from '../users/users.service.js';
import { VerifiedTokenCache } from './verified-token.cache.js';
import { RefreshFamilies } from './refresh-families.js';
import {
  SESSION_ENDED_MESSAGE,
  SIGNED_OUT_MESSAGE,
  sessionOf,
  tokenVersionCurrent,
} from './token-revocation.js';
import type { AccessTokenClaims, AuthUser } from '../auth.types.js';

const bearerToken = ExtractJwt.fromAuthHeaderAsBearerToken();

/** Marks a request for /mcp (set by RequestAuthenticator): tokens for the MCP resource are good there. */
export const FOR_MCP_RESOURCE = Symbol('auth:for-mcp-resource');

type Verdict = [AuthUser | false, Error?];

/**
 * passport-jwt with the algorithm pinned to ES256 and iss/aud/exp checked. The account is re-checked
 * on every request (UsersService, briefly cached) so a disabled or deleted account's tokens stop
 * working, and so are the token's revocation claims (`ver` against the account's token version,
 * `sid` against its refresh family; token-revocation.ts). A token that passed verification is
 * remembered by its exact text until it expires, so a client making many requests with one token
 * pays for the signature check once; the account and revocation checks run after a cache hit too.
 *
 * Audiences (RFC 8707): JWT_AUDIENCE names this server's API (password-login tokens) and is good
 * everywhere, /mcp included; tokens OAuth clients got for the MCP resource (`<PUBLIC_URL>/mcp`) are
 * good on /mcp only; any other audience is refused. Personal access tokens (`mana_pat_…`) are
 * looked up on every request instead, and never enter the verified-token cache.
 */
@Injectable()
export class JwtStrategy extends PassportStrategy(Strategy, 'jwt') {
  private readonly verified = new VerifiedTokenCache();
  private readonly apiAudience: string;
  private readonly mcpAudience: string;

  constructor(
    @Inject(AppConfig) config: AppConfig,
    @Inject(JwtKeysService) keys: JwtKeysService,
    @Inject(UsersService) private readonly users: UsersService,
    @Inject(PersonalAccessTokenService) private readonly pats: PersonalAccessTokenService,
    @Inject(RefreshFamilies) private readonly families: RefreshFamilies,
  ) {
    super({
      jwtFromRequest: bearerToken,
      // a KeyObject, not PEM text: jsonwebtoken would re-parse the PEM on every request
      secretOrKey: keys.publicKey as unknown as string, // jsonwebtoken 9 accepts a KeyObject; the typings lag
      algorithms: [JWT_ALG],
      issuer: config.jwtIssuer,
      audience: [config.jwtAudience, config.mcpResourceUrl()],
      ignoreExpiration: false,
      passReqToCallback: true,
    });
    this.apiAudience = config.jwtAudience;
    this.mcpAudience = config.mcpResourceUrl();
  }

  override authenticate(req: Request, options?: object): void {
    const token = bearerToken(req);
    if (token && PersonalAccessTokenService.isOne(token)) {
      this.settle(
        this.pats
          .authenticate(token)
          .then((user): Verdict => [user ?? false, user ? undefined : PAT_REFUSED]),
      );
      return;
    }
    const claims = token ? this.verified.get(token) : undefined;
    if (!claims) {
      super.authenticate(req, options);
      return;
    }
    this.settle(this.userFor(req, claims));
  }

  private settle(verdict: Promise<Verdict>): void {
    verdict.then(
      ([user, info]) => (user ? this.success(user) : this.fail(info, 401)),
      (error: unknown) => this.error(error as Error),
    );
  }

  /** Called by passport-jwt once the token verified. */
  async validate(req: Request, payload: AccessTokenClaims): Promise<Verdict> {
    const verdict = await this.userFor(req, payload);
    const token = bearerToken(req);
    if (token) this.verified.remember(token, payload);
    return verdict;
  }

  private async userFor(req: Request, claims: AccessTokenClaims): Promise<Verdict> {
    if (!this.audienceFits(req, claims.aud)) return [false, WRONG_AUDIENCE];
    if (typeof claims.sub !== 'string') return [false];
    const account = await this.users.findActiveAccount(claims.sub);
    if (!account) return [false];
    const { sid, ver } = claims as { sid?: unknown; ver?: unknown };
    if (!tokenVersionCurrent(ver, account.tokenVersion)) return [false, SIGNED_OUT];
    const session = sessionOf(sid);
    if (session.kind === 'malformed') return [false, SESSION_ENDED];
    if (session.kind === 'family' && !(await this.families.isLive(session.id, account.user.id))) {
      return [false, SESSION_ENDED];
    }
    return [account.user];
  }

  private audienceFits(req: Request, aud: string | string[]): boolean {
    const audiences = Array.isArray(aud) ? aud : [aud];
    if (audiences.includes(this.apiAudience)) return true;
    return (req as { [FOR_MCP_RESOURCE]?: boolean })[FOR_MCP_RESOURCE] === true
      ? audiences.includes(this.mcpAudience)
      : false;
  }
}

const WRONG_AUDIENCE = new Error('jwt audience invalid: this token is for the MCP resource only');
const PAT_REFUSED = new Error('personal access token is unknown, revoked or expired');
const SIGNED_OUT = new Error(SIGNED_OUT_MESSAGE);
const SESSION_ENDED = new Error(SESSION_ENDED_MESSAGE);
