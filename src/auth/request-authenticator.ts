import { Injectable } from '@nestjs/common';
import type { Request, Response } from 'express';
import passport from 'passport';
import { authenticatedUser } from './jwt-auth.guard.js';
import type { AuthUser } from './auth.types.js';

/**
 * The bearer-token check of JwtAuthGuard (the passport-jwt 'jwt' strategy, same verification, same
 * messages) for a handler mounted on the HTTP server outside Nest's router, like /mcp.
 * Rejects with the UnauthorizedException the guard would throw, or with the strategy's own error.
 */
@Injectable()
export class RequestAuthenticator {
  authenticate(req: Request, res: Response): Promise<AuthUser> {
    return new Promise((resolve, reject) => {
      const middleware = passport.authenticate(
        'jwt',
        { session: false },
        (err: unknown, user: AuthUser | false, info: unknown) => {
          try {
            resolve(authenticatedUser(err, user, info) as AuthUser);
          } catch (error) {
            reject(error as Error);
          }
        },
      ) as (req: Request, res: Response, next: (err?: unknown) => void) => void;
      middleware(req, res, (err?: unknown) => reject(err as Error));
    });
  }
}
