import type { AuthInfo } from '@modelcontextprotocol/sdk/server/auth/types.js';
import type { AuthUser } from '../../auth/auth.types.js';

/** Key under AuthInfo.extra where the gateway puts who is calling, for this one HTTP request. */
export const MCP_CALLER = 'manaCaller';

/**
 * Per HTTP request, never per session: the user (re-read from the database by the JWT guard on
 * every request) and the active space resolved from this request's X-Mana-Space.
 */
export interface McpCaller {
  user: AuthUser;
  spaceId: string;
}

export function toAuthInfo(token: string, caller: McpCaller): AuthInfo {
  return { token, clientId: caller.user.id, scopes: [], extra: { [MCP_CALLER]: caller } };
}

export function callerOf(authInfo: AuthInfo | undefined): McpCaller | undefined {
  const caller = authInfo?.extra?.[MCP_CALLER] as McpCaller | undefined;
  return caller && typeof caller.spaceId === 'string' && caller.user ? caller : undefined;
}
