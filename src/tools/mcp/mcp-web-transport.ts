import type { IncomingHttpHeaders, ServerResponse } from 'node:http';
import type { WebStandardStreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/webStandardStreamableHttp.js';
import { LATEST_PROTOCOL_VERSION, SUPPORTED_PROTOCOL_VERSIONS } from '@modelcontextprotocol/sdk/types.js';
import type { InitializeRequest } from '@modelcontextprotocol/sdk/types.js';
import type { McpHttpRequest } from './mcp-session.types.js';

/** What a session's initialize carried, as the `mcp_sessions` row keeps it. */
export interface McpInitializeParams {
  protocolVersion: string;
  capabilities: Record<string, unknown>;
  clientInfo: Record<string, unknown>;
}

/** What the row keeps of an initialize (the gateway let only initialize requests through). */
export function initializeParams(body: unknown): McpInitializeParams {
  const message = (Array.isArray(body) ? body.find((m) => isInit(m)) : body) as InitializeRequest;
  const params = message.params;
  const requested = params.protocolVersion;
  return {
    // what the SDK's server answers (Server._oninitialize): the client's version when supported
    protocolVersion: SUPPORTED_PROTOCOL_VERSIONS.includes(requested) ? requested : LATEST_PROTOCOL_VERSION,
    capabilities: params.capabilities as Record<string, unknown>,
    clientInfo: params.clientInfo as unknown as Record<string, unknown>,
  };
}

function isInit(message: unknown): boolean {
  return (message as { method?: unknown } | null)?.method === 'initialize';
}

/**
 * The request as the web-standard transport takes it. The body is never read from here: the
 * transport gets the one body-parser already parsed (`parsedBody`).
 */
export function toWebRequest(req: McpHttpRequest): Request {
  return new Request(`http://${safeHost(req.headers.host)}${req.url ?? '/mcp'}`, {
    method: req.method,
    headers: toHeaders(req.headers),
  });
}

/** Answers a request with the session's transport (what the SDK's Node wrapper does, minus Hono). */
export async function serveWithTransport(
  transport: WebStandardStreamableHTTPServerTransport,
  req: McpHttpRequest,
  res: ServerResponse,
): Promise<void> {
  const response = await transport.handleRequest(toWebRequest(req), {
    authInfo: req.auth,
    parsedBody: req.method === 'POST' ? req.body : undefined,
  });
  await writeWebResponse(response, res);
}

/**
 * Sends a web Response on a Node response: status and headers (added to the security headers
 * already set), then the body as it comes, chunk by chunk, so SSE events leave as they are written.
 * When the client goes away the body is cancelled: the transport then forgets that stream (and
 * keeps storing its events for a resume).
 */
export async function writeWebResponse(response: Response, res: ServerResponse): Promise<void> {
  res.statusCode = response.status;
  response.headers.forEach((value, name) => res.setHeader(name, value));
  if (!response.body) {
    res.end();
    return;
  }
  const reader = response.body.getReader();
  const cancel = () => void reader.cancel().catch(() => undefined);
  res.once('close', cancel);
  res.flushHeaders();
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      if (!res.write(value) && !res.destroyed) await drained(res);
    }
    res.end();
  } catch {
    res.destroy();
  } finally {
    res.off('close', cancel);
  }
}

/**
 * Makes a new transport (already connected to its McpServer) serve an existing session: one that was
 * initialized earlier, on this instance or another, and whose row is open.
 *
 * How (checked against @modelcontextprotocol/sdk 1.32.2): WebStandardStreamableHTTPServerTransport
 * accepts a session's requests only after it has answered that session's initialize itself; its
 * private `_initialized` flag and its `sessionId` are set there and nowhere else. So instead of
 * setting them, the session's own handshake is replayed through the public API: the initialize the
 * row recorded (same protocol version, client capabilities and client info) with a
 * `sessionIdGenerator` that answers the stored id, then notifications/initialized. That leaves the
 * transport and the McpServer (client capabilities, client version) as the original handshake left
 * them. The replayed answer is read and dropped; the caller keeps the session's event store muted
 * meanwhile, so nothing of it is stored. src/tools/mcp/mcp-web-transport.spec.ts fails if the SDK
 * stops working this way.
 */
export async function adoptSession(
  transport: WebStandardStreamableHTTPServerTransport,
  sessionId: string,
  init: McpInitializeParams,
): Promise<void> {
  const headers = { accept: 'application/json, text/event-stream', 'content-type': 'application/json' };
  const initialize = { jsonrpc: '2.0', id: 'mana-adopt', method: 'initialize', params: init };
  const answer = await transport.handleRequest(
    new Request('http://localhost/mcp', { method: 'POST', headers }),
    {
      parsedBody: initialize,
    },
  );
  const text = await answer.text();
  if (answer.status !== 200 || !/"result"\s*:/.test(text) || transport.sessionId !== sessionId) {
    throw new Error(
      `could not rebuild MCP session ${sessionId}: the replayed initialize got ${answer.status}`,
    );
  }
  const initialized = await transport.handleRequest(
    new Request('http://localhost/mcp', {
      method: 'POST',
      headers: { ...headers, 'mcp-session-id': sessionId, 'mcp-protocol-version': init.protocolVersion },
    }),
    { parsedBody: { jsonrpc: '2.0', method: 'notifications/initialized' } },
  );
  await initialized.body?.cancel();
  if (initialized.status !== 202) {
    throw new Error(
      `could not rebuild MCP session ${sessionId}: notifications/initialized got ${initialized.status}`,
    );
  }
}

function toHeaders(source: IncomingHttpHeaders): Headers {
  const headers = new Headers();
  for (const [name, value] of Object.entries(source)) {
    if (value === undefined) continue;
    for (const one of Array.isArray(value) ? value : [value]) headers.append(name, one);
  }
  return headers;
}

/** The Host header as a URL authority (the origin policy has checked it); anything odd is `localhost`. */
function safeHost(host: string | undefined): string {
  return host && /^[A-Za-z0-9.\-[\]:]{1,255}$/.test(host) ? host : 'localhost';
}

function drained(res: ServerResponse): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      res.off('drain', done);
      res.off('close', done);
      resolve();
    };
    res.once('drain', done);
    res.once('close', done);
  });
}
