import { Injectable } from '@nestjs/common';
import type { IncomingMessage, ServerResponse } from 'node:http';
import passport from 'passport';
import { authenticatedUser } from './jwt-auth.guard.js';
import { FOR_MCP_RESOURCE } from './jwt.strategy.js';
import type { AuthUser } from '../auth.types.js';

/**
 * The bearer-token check of JwtAuthGuard (the passport-jwt 'jwt' strategy, same verification, same
 * messages) for a handler outside Nest's router, like /mcp (served in front of Express).
 * Rejects with the UnauthorizedException the guard would throw, or with the strategy's own error.
 * The request is marked as one for the MCP resource: OAuth clients' tokens for it are good here.
 */
@Injectable()
export class RequestAuthenticator {
  authenticate(req: IncomingMessage, res: ServerResponse): Promise<AuthUser> {
    (req as { [FOR_MCP_RESOURCE]?: boolean })[FOR_MCP_RESOURCE] = true;
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
      ) as (req: IncomingMessage, res: ServerResponse, next: (err?: unknown) => void) => void;
      middleware(req, res, (err?: unknown) => reject(err as Error));
    });
  }
}
