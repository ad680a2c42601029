import { Inject, Injectable } from '@nestjs/common';
import { PassportStrategy } from '@nestjs/passport';
import { ExtractJwt, Strategy } from 'passport-jwt';
import { AppConfig } from '../config/app-config.js';
import { JWT_ALG, JwtKeysService } from './jwt-keys.service.js';
import { UsersService } from './users.service.js';
import type { AccessTokenClaims, AuthUser } from './auth.types.js';

/**
 * passport-jwt with the algorithm pinned to ES256 and iss/aud/exp checked; the user is re-read so a
 * disabled or deleted account's tokens stop working at once.
 */
@Injectable()
export class JwtStrategy extends PassportStrategy(Strategy, 'jwt') {
  constructor(
    @Inject(AppConfig) config: AppConfig,
    @Inject(JwtKeysService) keys: JwtKeysService,
    @Inject(UsersService) private readonly users: UsersService,
  ) {
    super({
      jwtFromRequest: ExtractJwt.fromAuthHeaderAsBearerToken(),
      // a KeyObject, not PEM text: jsonwebtoken would re-parse the PEM on every request
      secretOrKey: keys.publicKey as unknown as string, // jsonwebtoken 9 accepts a KeyObject; the typings lag
      algorithms: [JWT_ALG],
      issuer: config.jwtIssuer,
      audience: config.jwtAudience,
      ignoreExpiration: false,
    });
  }

  async validate(payload: AccessTokenClaims): Promise<AuthUser | false> {
    if (typeof payload.sub !== 'string') return false;
    return (await this.users.findActiveAuthUser(payload.sub)) ?? false;
  }
}
