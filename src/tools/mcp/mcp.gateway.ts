import type { ServerResponse } from 'node:http';
import { Inject, Injectable } from '@nestjs/common';
import { isInitializeRequest } from '@modelcontextprotocol/sdk/types.js';
import type { AuthUser } from '../../auth/auth.types.js';
import { ActiveSpaceResolver } from '../active-space.resolver.js';
import { ToolsErrorCode, ToolsException } from '../tools.exception.js';
import { toAuthInfo } from './mcp-caller.js';
import { McpSessionManager } from './mcp-session.manager.js';
import type { McpHttpRequest } from './mcp-session.manager.js';

/**
 * Every /mcp request, after the Origin/Host middleware and the JWT guard:
 * session lookup (400 without one unless initializing, 404 unknown, 403 someone else's — the
 * owner's session is left untouched), then the active space of THIS request (X-Mana-Space,
 * 403 for a non-member), then the session's transport.
 */
@Injectable()
export class McpGateway {
  constructor(
    @Inject(McpSessionManager) private readonly sessions: McpSessionManager,
    @Inject(ActiveSpaceResolver) private readonly spaces: ActiveSpaceResolver,
  ) {}

  async handle(req: McpHttpRequest, res: ServerResponse, user: AuthUser): Promise<void> {
    const sessionId = header(req, 'mcp-session-id');
    const session = sessionId === undefined ? undefined : this.sessions.get(sessionId);
    if (sessionId === undefined) {
      if (req.method !== 'POST' || !isInitialize(req.body)) {
        throw new ToolsException(
          ToolsErrorCode.SESSION_REQUIRED,
          'Mcp-Session-Id header is required: only an initialize request (POST) may come without one',
        );
      }
    } else if (!session) {
      throw new ToolsException(
        ToolsErrorCode.SESSION_NOT_FOUND,
        'MCP session not found: it was closed or expired, or never existed; initialize a new one',
      );
    } else if (session.userId !== user.id) {
      throw new ToolsException(ToolsErrorCode.SESSION_FORBIDDEN, 'This MCP session belongs to another user');
    }

    const spaceId = await this.spaces.resolve(user.id, header(req, 'x-mana-space'));
    req.auth = toAuthInfo(bearer(req), { user, spaceId });
    if (session) await this.sessions.dispatch(session, req, res);
    else await this.sessions.open(req, res, user);
  }
}

function header(req: McpHttpRequest, name: string): string | undefined {
  const value = req.headers[name];
  return Array.isArray(value) ? value[0] : value;
}

function bearer(req: McpHttpRequest): string {
  return (header(req, 'authorization') ?? '').replace(/^Bearer\s+/i, '');
}

function isInitialize(body: unknown): boolean {
  return Array.isArray(body) ? body.some((m) => isInitializeRequest(m)) : isInitializeRequest(body);
}
