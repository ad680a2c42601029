import { Inject, Injectable, UnauthorizedException } from '@nestjs/common';
import type { ExecutionContext } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { AuthGuard } from '@nestjs/passport';
import { IS_PUBLIC } from '../../common/public.decorator.js';
import { IS_SERVICE_KEY_ONLY } from '../auth.decorators.js';

/** The default guard on every route: a valid access token, unless the route is public or service-key-only. */
@Injectable()
export class JwtAuthGuard extends AuthGuard('jwt') {
  constructor(@Inject(Reflector) private readonly reflector: Reflector) {
    super();
  }

  override canActivate(ctx: ExecutionContext) {
    const targets = [ctx.getHandler(), ctx.getClass()];
    if (this.reflector.getAllAndOverride<boolean>(IS_PUBLIC, targets)) return true;
    if (this.reflector.getAllAndOverride<boolean>(IS_SERVICE_KEY_ONLY, targets)) return true;
    return super.canActivate(ctx);
  }

  override handleRequest<T>(err: unknown, user: T, info: unknown): T {
    return authenticatedUser(err, user, info);
  }
}

/** passport's (err, user, info) answer as the user, or the exception to answer with. */
export function authenticatedUser<T>(err: unknown, user: T, info: unknown): T {
  // err comes from validate() (e.g. the database is down): not a token problem, let the filter map it
  if (err) throw err;
  if (!user) throw new UnauthorizedException(describeTokenProblem(info, user));
  return user;
}

/** Turns passport-jwt's terse reasons into messages that tell the caller what to fix. */
export function describeTokenProblem(info: unknown, user?: unknown): string {
  const message = info instanceof Error ? info.message : typeof info === 'string' ? info : '';
  if (/no auth token/i.test(message))
    return 'Missing bearer token: send Authorization: Bearer <access token>';
  if (/personal access token/i.test(message))
    return 'Personal access token is not valid: it is unknown, revoked or expired';
  if (/^Access token was revoked: /.test(message)) return message;
  if (/expired/i.test(message)) return 'Access token has expired: refresh it or log in again';
  if (/audience/i.test(message)) return 'Access token was issued for another audience';
  if (/issuer/i.test(message)) return 'Access token was issued by another issuer';
  if (/algorithm/i.test(message))
    return 'Access token uses an algorithm this server does not accept (ES256 only)';
  if (/signature/i.test(message)) return 'Access token signature is not valid';
  if (/malformed|invalid token|jwt must be/i.test(message)) return 'Access token is malformed';
  if (user === false) return 'Access token belongs to an account that is disabled or no longer exists';
  return 'Access token is not valid';
}
