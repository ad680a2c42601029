import { Inject, Injectable } from '@nestjs/common';
import { PassportStrategy } from '@nestjs/passport';
import type { Request } from 'express';
import { ExtractJwt, Strategy } from 'passport-jwt';
import { AppConfig } from '../config/app-config.js';
import { JWT_ALG, JwtKeysService } from './jwt-keys.service.js';
import { UsersService } from './users.service.js';
import { VerifiedTokenCache } from './verified-token.cache.js';
import type { AccessTokenClaims, AuthUser } from './auth.types.js';

const bearerToken = ExtractJwt.fromAuthHeaderAsBearerToken();

/**
 * passport-jwt with the algorithm pinned to ES256 and iss/aud/exp checked. The account is re-checked
 * on every request (UsersService, briefly cached) so a disabled or deleted account's tokens stop
 * working. A token that passed verification is remembered by its exact text until it expires, so a
 * client making many requests with one token pays for the signature check once.
 */
@Injectable()
export class JwtStrategy extends PassportStrategy(Strategy, 'jwt') {
  private readonly verified = new VerifiedTokenCache();

  constructor(
    @Inject(AppConfig) config: AppConfig,
    @Inject(JwtKeysService) keys: JwtKeysService,
    @Inject(UsersService) private readonly users: UsersService,
  ) {
    super({
      jwtFromRequest: bearerToken,
      // a KeyObject, not PEM text: jsonwebtoken would re-parse the PEM on every request
      secretOrKey: keys.publicKey as unknown as string, // jsonwebtoken 9 accepts a KeyObject; the typings lag
      algorithms: [JWT_ALG],
      issuer: config.jwtIssuer,
      audience: config.jwtAudience,
      ignoreExpiration: false,
      passReqToCallback: true,
    });
  }

  override authenticate(req: Request, options?: object): void {
    const token = bearerToken(req);
    const claims = token ? this.verified.get(token) : undefined;
    if (!claims) {
      super.authenticate(req, options);
      return;
    }
    this.userFor(claims).then(
      (user) => (user ? this.success(user) : this.fail(undefined, 401)),
      (error: unknown) => this.error(error as Error),
    );
  }

  /** Called by passport-jwt once the token verified. */
  async validate(req: Request, payload: AccessTokenClaims): Promise<AuthUser | false> {
    const user = await this.userFor(payload);
    const token = bearerToken(req);
    if (token) this.verified.remember(token, payload);
    return user;
  }

  private async userFor(claims: AccessTokenClaims): Promise<AuthUser | false> {
    if (typeof claims.sub !== 'string') return false;
    return (await this.users.findActiveAuthUser(claims.sub)) ?? false;
  }
}
