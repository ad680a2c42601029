import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { createServer, request } from 'node:http';
import type { IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport, getDefaultEnvironment } from '@modelcontextprotocol/sdk/client/stdio.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import type { Transport } from '@modelcontextprotocol/sdk/shared/transport.js';
import { freePort } from './test-app.js';
import { waitFor } from './wait-for.js';

/** Third-party MCP servers from the npm registry (dev dependencies), as test/check starts them. */
export const EVERYTHING_SCRIPT = 'node_modules/@modelcontextprotocol/server-everything/dist/index.js';
export const MEMORY_SCRIPT = 'node_modules/@modelcontextprotocol/server-memory/dist/index.js';

export interface RunningServer {
  url: string;
  stop(): Promise<void>;
}

/** server-everything over Streamable HTTP on a free loopback port, its output discarded. */
export async function startEverything(): Promise<RunningServer> {
  const port = await freePort();
  const child: ChildProcess = spawn(process.execPath, [EVERYTHING_SCRIPT, 'streamableHttp'], {
    env: { ...process.env, PORT: String(port) },
    stdio: 'ignore',
  });
  const url = `http://127.0.0.1:${port}/mcp`;
  await waitFor(
    'server-everything to listen',
    async () => (await fetch(url, { method: 'GET' }).catch(() => undefined)) !== undefined || undefined,
    20_000,
  );
  return {
    url,
    stop: async () => {
      if (child.exitCode !== null) return;
      child.kill('SIGTERM');
      await once(child, 'exit');
    },
  };
}

/**
 * A pass-through HTTP proxy to `upstream` that keeps the headers of every request it forwards, so a
 * test can see exactly what a target's server was sent (and the server still answers for real).
 */
export async function recordingProxy(
  upstream: string,
): Promise<RunningServer & { seen: IncomingHttpHeaders[] }> {
  const target = new URL(upstream);
  const seen: IncomingHttpHeaders[] = [];
  const server = createServer((req, res) => {
    seen.push({ ...req.headers });
    const forward = request(
      {
        host: target.hostname,
        port: target.port,
        path: req.url,
        method: req.method,
        headers: { ...req.headers, host: target.host },
      },
      (answer) => {
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(res);
      },
    );
    forward.on('error', () => {
      if (!res.headersSent) res.writeHead(502);
      res.end();
    });
    req.pipe(forward);
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}${target.pathname}`,
    seen,
    stop: async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** The tools an MCP server lists, asked with the official SDK client. */
export async function toolNamesOf(
  server: { url: string } | { command: string; args: string[]; env?: Record<string, string> },
): Promise<string[]> {
  const transport: Transport =
    'url' in server
      ? new StreamableHTTPClientTransport(new URL(server.url))
      : new StdioClientTransport({
          command: server.command,
          args: server.args,
          env: { ...getDefaultEnvironment(), ...server.env },
          stderr: 'ignore',
        });
  const client = new Client({ name: 'mana-test', version: '1.0.0' });
  await client.connect(transport);
  try {
    const names: string[] = [];
    let cursor: string | undefined;
    do {
      const page = await client.listTools(cursor ? { cursor } : undefined);
      names.push(...page.tools.map((t) => t.name));
      cursor = page.nextCursor;
    } while (cursor);
    return names.sort();
  } finally {
    await client.close();
  }
}
