import { Inject, Injectable } from '@nestjs/common';
import type { IncomingMessage } from 'node:http';
import { AppConfig } from '../../config/app-config.js';
import { ToolsErrorCode, ToolsException } from '../tools.exception.js';

/**
 * DNS-rebinding protection for /mcp, before authentication: the Host header must be one of
 * MCP_ALLOWED_HOSTS, and an Origin header, when present, one of MCP_ALLOWED_ORIGINS (clients that
 * are not browsers send no Origin and are let through). `*` in a list allows any value.
 */
@Injectable()
export class McpOriginPolicy {
  private readonly hosts: Set<string>;
  private readonly origins: Set<string>;

  constructor(@Inject(AppConfig) config: AppConfig) {
    this.hosts = new Set(config.mcpAllowedHosts.map((h) => h.toLowerCase()));
    this.origins = new Set(config.mcpAllowedOrigins.map((o) => o.toLowerCase().replace(/\/+$/, '')));
  }

  /** Throws the 403 to answer when the request's Host or Origin is not allowed. */
  assertAllowed(req: IncomingMessage): void {
    const host = (req.headers.host ?? '').toLowerCase();
    if (!this.hosts.has('*') && !this.hosts.has(host)) {
      throw new ToolsException(
        ToolsErrorCode.HOST_FORBIDDEN,
        `Host "${host.slice(0, 100)}" is not allowed for /mcp (MCP_ALLOWED_HOSTS)`,
      );
    }
    const origin = req.headers.origin;
    if (origin !== undefined && !this.origins.has('*') && !this.origins.has(origin.toLowerCase())) {
      throw new ToolsException(
        ToolsErrorCode.ORIGIN_FORBIDDEN,
        `Origin "${origin.slice(0, 100)}" is not allowed for /mcp (MCP_ALLOWED_ORIGINS)`,
      );
    }
  }
}
