import { createServer, request as httpRequest } from 'node:http';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** One request the proxy passed on: where it went and what it was. */
export interface ProxiedRequest {
  /** Index into the upstreams. */
  upstream: number;
  method: string;
  /** The JSON-RPC method of a POST (the first message of a batch). */
  rpcMethod?: string;
  sessionId?: string;
  lastEventId?: string;
  /** When the proxy received it (Date.now()). */
  startedAt: number;
  status?: number;
  /** The response was cut after its first SSE event. */
  cut?: boolean;
}

export interface RoundRobinProxy {
  url: string;
  /** Every request so far, in the order they arrived. */
  log: ProxiedRequest[];
  /** The upstream the next request will go to. */
  nextUpstream(): number;
  /**
   * The next POST answered with an SSE stream is cut after its first event: the client's connection
   * and the upstream's are closed, as a dropped connection would.
   */
  cutNextStreamAfterFirstEvent(): void;
  close(): Promise<void>;
}

/**
 * A loopback HTTP proxy in front of N upstreams that sends each request to the next upstream in
 * turn (no stickiness, as a load balancer without session affinity), streaming the answers through
 * as they come (SSE included).
 */
export async function startRoundRobinProxy(upstreams: string[]): Promise<RoundRobinProxy> {
  const targets = upstreams.map((u) => new URL(u));
  const log: ProxiedRequest[] = [];
  let turn = 0;
  let cutArmed = false;

  const server: Server = createServer((req, res) => {
    const upstream = turn++ % targets.length;
    const entry: ProxiedRequest = {
      upstream,
      method: req.method ?? 'GET',
      sessionId: one(req.headers['mcp-session-id']),
      lastEventId: one(req.headers['last-event-id']),
      startedAt: Date.now(),
    };
    log.push(entry);
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks);
      entry.rpcMethod = rpcMethodOf(body);
      forward(targets[upstream], req, body, res, entry, () => {
        if (!cutArmed || entry.method !== 'POST') return false;
        cutArmed = false;
        return true;
      });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;

  return {
    url: `http://127.0.0.1:${port}`,
    log,
    nextUpstream: () => turn % targets.length,
    cutNextStreamAfterFirstEvent: () => {
      cutArmed = true;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

function forward(
  target: URL,
  req: IncomingMessage,
  body: Buffer,
  res: ServerResponse,
  entry: ProxiedRequest,
  takeCut: () => boolean,
): void {
  const upstreamReq = httpRequest(
    {
      host: target.hostname,
      port: target.port,
      method: req.method,
      path: req.url,
      headers: { ...req.headers, 'content-length': String(body.length) },
    },
    (upstreamRes) => {
      entry.status = upstreamRes.statusCode;
      const sse = (upstreamRes.headers['content-type'] ?? '').includes('text/event-stream');
      const cut = sse && takeCut();
      res.writeHead(upstreamRes.statusCode ?? 502, upstreamRes.headers);
      res.flushHeaders();
      let seen = '';
      upstreamRes.on('data', (chunk: Buffer) => {
        if (!cut) {
          res.write(chunk);
          return;
        }
        seen += chunk.toString('utf8');
        const end = seen.indexOf('\n\n');
        if (end < 0) return;
        entry.cut = true;
        // the first event, then the connection drops on both sides
        res.write(seen.slice(0, end + 2), () => res.destroy());
        upstreamRes.destroy();
        upstreamReq.destroy();
      });
      upstreamRes.on('end', () => res.end());
      upstreamRes.on('error', () => res.destroy());
    },
  );
  upstreamReq.on('error', () => {
    if (!res.headersSent) res.writeHead(502);
    res.destroy();
  });
  // a client that goes away takes the upstream request with it
  res.on('close', () => upstreamReq.destroy());
  upstreamReq.end(body);
}

function one(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}

function rpcMethodOf(body: Buffer): string | undefined {
  if (body.length === 0) return undefined;
  try {
    const parsed = JSON.parse(body.toString('utf8')) as unknown;
    const first = (Array.isArray(parsed) ? parsed[0] : parsed) as { method?: unknown } | undefined;
    return typeof first?.method === 'string' ? first.method : undefined;
  } catch {
    return undefined;
  }
}
