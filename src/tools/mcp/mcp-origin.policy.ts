import { Inject, Injectable } from '@nestjs/common';
import type { IncomingMessage } from 'node:http';
import { isIP } from 'node:net';
import { AppConfig } from '../../config/app-config.js';
import { ToolsErrorCode, ToolsException } from '../tools.exception.js';

/** The names a loopback client may use for this machine, in Host and Origin (any port). */
const LOOPBACK_NAMES = new Set(['localhost', '127.0.0.1', '[::1]']);

/**
 * DNS-rebinding protection for /mcp, before authentication. The Host header must be allowed, and an
 * Origin header, when present, too (clients that are not browsers send no Origin and are let
 * through). A server bound to a loopback address allows any loopback Host and Origin
 * (`localhost`, `127.0.0.1`, `[::1]`) on any port: only this machine can reach it, and local
 * clients such as the MCP Inspector's web UI run on ports of their own. A rebinding attack comes
 * with the attacker's name in Host and Origin, which stays refused. Anything else must be listed in
 * MCP_ALLOWED_HOSTS / MCP_ALLOWED_ORIGINS; `*` in a list allows any value.
 */
@Injectable()
export class McpOriginPolicy {
  private readonly hosts: Set<string>;
  private readonly origins: Set<string>;
  private readonly loopbackServer: boolean;

  constructor(@Inject(AppConfig) config: AppConfig) {
    this.hosts = new Set(config.mcpAllowedHosts.map((h) => h.toLowerCase()));
    this.origins = new Set(config.mcpAllowedOrigins.map((o) => o.toLowerCase().replace(/\/+$/, '')));
    this.loopbackServer = isLoopbackAddress(config.host);
  }

  /** Throws the 403 to answer when the request's Host or Origin is not allowed. */
  assertAllowed(req: IncomingMessage): void {
    const host = (req.headers.host ?? '').toLowerCase();
    if (!this.hostAllowed(host)) {
      throw new ToolsException(
        ToolsErrorCode.HOST_FORBIDDEN,
        `Host "${host.slice(0, 100)}" is not allowed for /mcp (MCP_ALLOWED_HOSTS)`,
      );
    }
    const origin = req.headers.origin;
    if (origin !== undefined && !this.originAllowed(origin.toLowerCase())) {
      throw new ToolsException(
        ToolsErrorCode.ORIGIN_FORBIDDEN,
        `Origin "${origin.slice(0, 100)}" is not allowed for /mcp (MCP_ALLOWED_ORIGINS)`,
      );
    }
  }

  private hostAllowed(host: string): boolean {
    if (this.hosts.has('*') || this.hosts.has(host)) return true;
    return this.loopbackServer && LOOPBACK_NAMES.has(hostnameOf(host));
  }

  private originAllowed(origin: string): boolean {
    if (this.origins.has('*') || this.origins.has(origin)) return true;
    if (!this.loopbackServer) return false;
    let url: URL;
    try {
      url = new URL(origin);
    } catch {
      return false;
    }
    return (url.protocol === 'http:' || url.protocol === 'https:') && LOOPBACK_NAMES.has(url.hostname);
  }
}

/** `localhost:6274` → `localhost`, `[::1]:80` → `[::1]`; an invalid port makes it no host at all. */
function hostnameOf(host: string): string {
  const match = /^(\[[0-9a-f:.]+\]|[^:[\]]+)(?::(\d{1,5}))?$/.exec(host);
  return match ? match[1] : '';
}

/** The address the server listens on is reachable from this machine only. */
export function isLoopbackAddress(address: string): boolean {
  const a = address.toLowerCase().replace(/^\[|\]$/g, '');
  if (a === 'localhost') return true;
  if (isIP(a) === 4) return a.startsWith('127.');
  if (isIP(a) === 6) return a === '::1' || a.startsWith('::ffff:127.');
  return false;
}
