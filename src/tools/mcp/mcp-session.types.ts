import type { IncomingMessage } from 'node:http';
import type { AuthInfo } from '@modelcontextprotocol/sdk/server/auth/types.js';
import type { LoggingLevel } from './mcp-logging.js';
import type { McpInitializeParams } from './mcp-web-transport.js';

export type McpHttpRequest = IncomingMessage & { auth?: AuthInfo; body?: unknown };

/** A session row as a request sees it (McpSessionRepository.find). */
export interface McpSessionRecord {
  id: string;
  userId: string;
  init: McpInitializeParams;
  destructiveTools: boolean;
  loggingLevel: LoggingLevel | null;
  /** Not closed, and used within MCP_SESSION_IDLE_MS (judged by the database's clock). */
  open: boolean;
  /** Closed (DELETE, idle, the cap); a session can also be not open because it expired unclosed. */
  closed: boolean;
  /** How long ago `last_seen_at` was, by the database's clock. */
  seenMsAgo: number;
}
