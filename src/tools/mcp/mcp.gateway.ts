import type { ServerResponse } from 'node:http';
import { Inject, Injectable } from '@nestjs/common';
import { isInitializeRequest } from '@modelcontextprotocol/sdk/types.js';
import type { AuthUser } from '../../auth/auth.types.js';
import { ActiveSpaceResolver } from '../active-space.resolver.js';
import { ToolsErrorCode, ToolsException } from '../tools.exception.js';
import { toAuthInfo } from './mcp-caller.js';
import { decodeEventId, STANDALONE_STREAM_ID } from './mcp-event-id.js';
import { McpSessionManager } from './mcp-session.manager.js';
import type { McpHttpRequest } from './mcp-session.types.js';
import { McpStreamResumer } from './mcp-stream.resumer.js';

/**
 * Every /mcp request, after the Origin/Host check and the bearer check, on any instance:
 * the session's row (400 without a session id unless initializing, 404 unknown, closed or idle,
 * 403 someone else's — the owner's session is left untouched), then the active space of THIS request
 * (X-Mana-Space, 403 for a non-member), then:
 * - DELETE closes the session everywhere;
 * - GET with Last-Event-ID on a request stream resumes it from the event store (McpStreamResumer),
 *   whichever instance got the original POST;
 * - anything else goes to the session's transport, held by this instance or rebuilt from the row.
 */
@Injectable()
export class McpGateway {
  constructor(
    @Inject(McpSessionManager) private readonly sessions: McpSessionManager,
    @Inject(McpStreamResumer) private readonly resumer: McpStreamResumer,
    @Inject(ActiveSpaceResolver) private readonly spaces: ActiveSpaceResolver,
  ) {}

  async handle(req: McpHttpRequest, res: ServerResponse, user: AuthUser): Promise<void> {
    const sessionId = header(req, 'mcp-session-id');
    if (sessionId === undefined) {
      if (req.method !== 'POST' || !isInitialize(req.body)) {
        throw new ToolsException(
          ToolsErrorCode.SESSION_REQUIRED,
          'Mcp-Session-Id header is required: only an initialize request (POST) may come without one',
        );
      }
      await this.authorize(req, user);
      return this.sessions.open(req, res, user);
    }

    const session = await this.sessions.find(sessionId);
    if (!session) {
      throw new ToolsException(
        ToolsErrorCode.SESSION_NOT_FOUND,
        'MCP session not found: it was closed or expired, or never existed; initialize a new one',
      );
    }
    if (session.userId !== user.id) {
      throw new ToolsException(ToolsErrorCode.SESSION_FORBIDDEN, 'This MCP session belongs to another user');
    }
    await this.authorize(req, user);
    if (req.method === 'DELETE') return this.sessions.terminate(session, res);
    const lastEventId = header(req, 'last-event-id');
    if (req.method === 'GET' && lastEventId !== undefined && !resumesStandalone(lastEventId)) {
      return this.resumer.resume(session.id, lastEventId, res);
    }
    return this.sessions.serve(session, user, req, res);
  }

  /** The caller of this one request: the user, and the active space it names. */
  private async authorize(req: McpHttpRequest, user: AuthUser): Promise<void> {
    const spaceId = await this.spaces.resolve(user.id, header(req, 'x-mana-space'));
    req.auth = toAuthInfo(bearer(req), { user, spaceId });
  }
}

/** The standalone GET stream is resumed by the SDK transport itself (it goes on live). */
function resumesStandalone(lastEventId: string): boolean {
  return decodeEventId(lastEventId)?.streamId === STANDALONE_STREAM_ID;
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
