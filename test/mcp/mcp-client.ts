import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import type { TestApp } from '../support/test-app.js';

/** What a test can change between requests of one session (sent on every HTTP request). */
export interface McpRequestHeaders {
  token: string;
  space?: string;
}

export interface McpTestClient {
  client: Client;
  transport: StreamableHTTPClientTransport;
  sessionId: string;
  /** Mutable: the next request uses the new values (a refreshed token, another active space). */
  headers: McpRequestHeaders;
  call(name: string, args?: Record<string, unknown>): Promise<CallToolResult>;
  close(): Promise<void>;
}

const open = new Set<Client>();

/** Closes every client a test left open (their event-stream reconnects would keep jest alive). */
export async function closeAllMcpClients(): Promise<void> {
  const clients = [...open];
  open.clear();
  await Promise.allSettled(clients.map((client) => client.close()));
}

/** A real MCP SDK client over Streamable HTTP against the app's /mcp. */
export async function connectMcp(t: TestApp, headers: McpRequestHeaders): Promise<McpTestClient> {
  const state: McpRequestHeaders = { ...headers };
  const transport = new StreamableHTTPClientTransport(new URL(`${t.url}/mcp`), {
    fetch: (url, init) => {
      const h = new Headers(init?.headers);
      h.set('authorization', `Bearer ${state.token}`);
      if (state.space) h.set('x-mana-space', state.space);
      else h.delete('x-mana-space');
      return fetch(url, { ...init, headers: h });
    },
  });
  const client = new Client({ name: 'mana-test', version: '1.0.0' });
  open.add(client);
  await client.connect(transport);
  if (!transport.sessionId) throw new Error('the server did not assign a session id');
  return {
    client,
    transport,
    sessionId: transport.sessionId,
    headers: state,
    call: (name, args = {}) => client.callTool({ name, arguments: args }) as Promise<CallToolResult>,
    close: () => {
      open.delete(client);
      return client.close();
    },
  };
}

/** The text of a tool result's first content item. */
export function textOf(result: CallToolResult): string {
  const first = result.content[0];
  return first && first.type === 'text' ? first.text : '';
}

/** The JSON a successful tool result carries (structuredContent, else the first text item parsed). */
export function dataOf<T = any>(result: CallToolResult): T {
  if (result.isError) throw new Error(`tool error: ${textOf(result)}`);
  return (result.structuredContent ?? JSON.parse(textOf(result))) as T;
}

/** Raw JSON-RPC over HTTP for requests the SDK client would never send. */
export async function rawMcp(
  t: TestApp,
  method: 'POST' | 'GET' | 'DELETE',
  options: { token?: string; sessionId?: string; body?: unknown; headers?: Record<string, string> } = {},
): Promise<{ status: number; text: string; json: any; headers: Headers }> {
  const headers: Record<string, string> = {
    accept: 'application/json, text/event-stream',
    'mcp-protocol-version': '2025-06-18',
    ...(options.headers ?? {}),
  };
  if (options.token) headers.authorization = `Bearer ${options.token}`;
  if (options.sessionId) headers['mcp-session-id'] = options.sessionId;
  if (options.body !== undefined) headers['content-type'] = 'application/json';
  const controller = new AbortController();
  const res = await fetch(`${t.url}/mcp`, {
    method,
    headers,
    body: options.body === undefined ? undefined : JSON.stringify(options.body),
    signal: controller.signal,
  });
  // a GET that succeeds opens an SSE stream that never ends: read nothing, just close it
  if (method === 'GET' && res.status === 200) {
    controller.abort();
    return { status: res.status, text: '', json: undefined, headers: res.headers };
  }
  const text = await res.text();
  let json: unknown;
  try {
    json = text ? JSON.parse(text) : undefined;
  } catch {
    json = undefined;
  }
  return { status: res.status, text, json, headers: res.headers };
}

export const initializeMessage = (id: number | string = 1) => ({
  jsonrpc: '2.0',
  id,
  method: 'initialize',
  params: {
    protocolVersion: '2025-06-18',
    capabilities: {},
    clientInfo: { name: 'raw-test', version: '1.0.0' },
  },
});
