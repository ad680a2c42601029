import { randomUUID } from 'node:crypto';
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { WebStandardStreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/webStandardStreamableHttp.js';
import { z } from 'zod';
import { adoptSession, initializeParams } from './mcp-web-transport.js';

// Against the real SDK (@modelcontextprotocol/sdk 1.32): if a later SDK serves sessions differently,
// these fail before the replicas do.

const init = {
  protocolVersion: '2025-11-25',
  capabilities: { sampling: {}, roots: { listChanged: true } },
  clientInfo: { name: 'spec-client', version: '2.0.0' },
};

function echoServer(): McpServer {
  const server = new McpServer({ name: 'spec-server', version: '1.0.0' });
  server.registerTool('echo', { description: 'echo', inputSchema: { text: z.string() } }, ({ text }) => ({
    content: [{ type: 'text', text }],
  }));
  return server;
}

function call(transport: WebStandardStreamableHTTPServerTransport, sessionId: string): Promise<Response> {
  const headers = {
    accept: 'application/json, text/event-stream',
    'content-type': 'application/json',
    'mcp-session-id': sessionId,
    'mcp-protocol-version': init.protocolVersion,
  };
  return transport.handleRequest(new Request('http://localhost/mcp', { method: 'POST', headers }), {
    parsedBody: {
      jsonrpc: '2.0',
      id: 2,
      method: 'tools/call',
      params: { name: 'echo', arguments: { text: 'hi' } },
    },
  });
}

describe(adoptSession.name, () => {
  it('should make a new transport serve a session initialized elsewhere, with its id and its client', async () => {
    const id = randomUUID();
    const server = echoServer();
    const transport = new WebStandardStreamableHTTPServerTransport({ sessionIdGenerator: () => id });
    await server.connect(transport);

    await adoptSession(transport, id, init);

    expect(transport.sessionId).toBe(id);
    expect(server.server.getClientVersion()).toEqual(init.clientInfo);
    expect(server.server.getClientCapabilities()).toEqual(init.capabilities);
    const answer = await call(transport, id);
    expect(answer.status).toBe(200);
    expect(answer.headers.get('mcp-session-id')).toBe(id);
    expect(await answer.text()).toMatch(/"id":2,.*"text":"hi"|"text":"hi".*"id":2/);
    await server.close();
  });

  it('should be what lets a new transport serve the session: without it the SDK refuses the request', async () => {
    const id = randomUUID();
    const server = echoServer();
    const transport = new WebStandardStreamableHTTPServerTransport({ sessionIdGenerator: () => id });
    await server.connect(transport);

    const refused = await call(transport, id);

    expect(refused.status).toBe(400);
    expect(await refused.text()).toContain('Server not initialized');
    await server.close();
  });

  it('should fail when the transport would not answer under the stored id', async () => {
    const server = echoServer();
    const transport = new WebStandardStreamableHTTPServerTransport({
      sessionIdGenerator: () => 'another-id',
    });
    await server.connect(transport);

    await expect(adoptSession(transport, randomUUID(), init)).rejects.toThrow(
      /could not rebuild MCP session/,
    );
    await server.close();
  });
});

describe(initializeParams.name, () => {
  const message = (protocolVersion: string) => ({
    jsonrpc: '2.0',
    id: 1,
    method: 'initialize',
    params: { protocolVersion, capabilities: { elicitation: {} }, clientInfo: { name: 'c', version: '1' } },
  });

  it("should keep the client's protocol version when the SDK supports it, as the server answers it", () => {
    expect(initializeParams(message('2025-06-18'))).toEqual({
      protocolVersion: '2025-06-18',
      capabilities: { elicitation: {} },
      clientInfo: { name: 'c', version: '1' },
    });
  });

  it('should keep the latest version for a version the SDK does not know (what the server negotiates)', () => {
    expect(initializeParams(message('1999-01-01')).protocolVersion).toBe('2025-11-25');
  });

  it('should find the initialize in a batch', () => {
    const batch = [{ jsonrpc: '2.0', method: 'notifications/ping' }, message('2025-03-26')];
    expect(initializeParams(batch).protocolVersion).toBe('2025-03-26');
  });
});
