import type { IncomingMessage, ServerResponse } from 'node:http';
import helmet from 'helmet';

export type NodeMiddleware = (
  req: IncomingMessage,
  res: ServerResponse,
  next: (err?: unknown) => void,
) => void;

/**
 * helmet with the app's Content-Security-Policy: the same headers on every response, whether Express
 * serves it or the /mcp lane in front of Express (see app.factory.ts).
 */
export function securityHeaders(): NodeMiddleware {
  return helmet({
    contentSecurityPolicy: {
      directives: {
        defaultSrc: ["'self'"],
        scriptSrc: ["'self'"],
        styleSrc: ["'self'", "'unsafe-inline'"],
        imgSrc: ["'self'", 'data:'],
        connectSrc: ["'self'"],
        // the dashboard is often opened over plain http on a LAN address; do not force https
        upgradeInsecureRequests: null,
      },
    },
  });
}
