import { createServer } from 'node:http';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import { randomUUID } from 'node:crypto';

/**
 * A local stand-in for the Anthropic Messages API, speaking its wire format over real HTTP so the
 * real `@anthropic-ai/sdk` can drive it (ANTHROPIC_BASE_URL=http://127.0.0.1:<port>):
 * POST /v1/messages answers a message (`content` blocks incl. `tool_use`, `usage`, `stop_reason`)
 * or an error body `{type:'error', error:{type, message}}` with headers such as `retry-after`
 * and `request-id`; or it never answers (a hung upstream). Each test scripts the answers and reads
 * back every request it received.
 */

export type Block =
  | { type: 'text'; text: string }
  | { type: 'tool_use'; id: string; name: string; input: Record<string, unknown> };

export interface RecordedRequest {
  method: string;
  path: string;
  headers: IncomingMessage['headers'];
  body: any;
  at: number;
}

export type FakeReply =
  | {
      kind: 'message';
      content: Block[];
      stopReason?: string;
      usage?: { input_tokens: number; output_tokens: number };
    }
  | { kind: 'error'; status: number; type: string; message: string; headers?: Record<string, string> }
  | { kind: 'hang' }
  | { kind: 'held'; until: Promise<FakeReply> };

export type ReplyFn = (request: RecordedRequest) => FakeReply;

export const text = (value: string): Block => ({ type: 'text', text: value });
export const toolUse = (
  name: string,
  input: Record<string, unknown>,
  id = `toolu_${randomUUID().replace(/-/g, '').slice(0, 20)}`,
): Block => ({
  type: 'tool_use',
  id,
  name,
  input,
});
export const message = (
  content: Block[],
  options: { stopReason?: string; usage?: { input_tokens: number; output_tokens: number } } = {},
): FakeReply => ({
  kind: 'message',
  content,
  stopReason: options.stopReason ?? (content.some((b) => b.type === 'tool_use') ? 'tool_use' : 'end_turn'),
  usage: options.usage,
});
export const apiError = (
  status: number,
  type: string,
  msg: string,
  headers: Record<string, string> = {},
): FakeReply => ({
  kind: 'error',
  status,
  type,
  message: msg,
  headers,
});
export const hang = (): FakeReply => ({ kind: 'hang' });

/** A reply the test releases later: the request waits (like a frozen upstream) until `release(reply)`. */
export function held(): { reply: FakeReply; release: (reply: FakeReply) => void } {
  let release!: (reply: FakeReply) => void;
  const until = new Promise<FakeReply>((resolve) => {
    release = resolve;
  });
  return { reply: { kind: 'held', until }, release };
}

export class FakeAnthropic {
  readonly requests: RecordedRequest[] = [];
  private queue: Array<FakeReply | ReplyFn> = [];
  /** Answer when the script has run out. */
  fallback: FakeReply | ReplyFn = message([text('(the fake has nothing more scripted)')]);
  private readonly sockets = new Set<Socket>();
  private readonly hung = new Set<ServerResponse>();

  private constructor(
    private readonly server: Server,
    readonly url: string,
  ) {}

  static async start(): Promise<FakeAnthropic> {
    const server = createServer();
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const address = server.address();
    const port = typeof address === 'object' && address ? address.port : 0;
    const fake = new FakeAnthropic(server, `http://127.0.0.1:${port}`);
    server.on('request', (req, res) => void fake.handle(req, res));
    server.on('connection', (socket) => {
      fake.sockets.add(socket);
      socket.on('close', () => fake.sockets.delete(socket));
    });
    return fake;
  }

  /** Replaces the script: each request takes the next answer (a reply, or a function of the request). */
  script(...replies: Array<FakeReply | ReplyFn>): void {
    this.queue = [...replies];
  }

  reset(): void {
    this.queue = [];
    this.requests.length = 0;
    this.fallback = message([text('(the fake has nothing more scripted)')]);
  }

  /** Requests to POST /v1/messages, in order. */
  messageRequests(): RecordedRequest[] {
    return this.requests.filter((r) => r.method === 'POST' && r.path === '/v1/messages');
  }

  async close(): Promise<void> {
    for (const res of this.hung) res.destroy();
    for (const socket of this.sockets) socket.destroy();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const raw = Buffer.concat(chunks).toString('utf8');
    let body: unknown = raw;
    try {
      body = raw ? JSON.parse(raw) : undefined;
    } catch {
      /* keep the raw text */
    }
    const path = (req.url ?? '').split('?')[0];
    const request: RecordedRequest = {
      method: req.method ?? '',
      path,
      headers: req.headers,
      body,
      at: Date.now(),
    };
    this.requests.push(request);
    const requestId = `req_${randomUUID().replace(/-/g, '').slice(0, 24)}`;
    if (req.method !== 'POST' || path !== '/v1/messages') {
      return this.send(
        res,
        404,
        { type: 'error', error: { type: 'not_found_error', message: `no route ${path}` } },
        requestId,
      );
    }
    const next = this.queue.length > 0 ? this.queue.shift()! : this.fallback;
    let reply = typeof next === 'function' ? next(request) : next;
    if (reply.kind === 'held') reply = await reply.until;
    if (reply.kind === 'held') return;
    if (reply.kind === 'hang') {
      this.hung.add(res);
      res.on('close', () => this.hung.delete(res));
      return;
    }
    if (reply.kind === 'error') {
      return this.send(
        res,
        reply.status,
        { type: 'error', error: { type: reply.type, message: reply.message }, request_id: requestId },
        requestId,
        reply.headers,
      );
    }
    const model = (body as { model?: string } | undefined)?.model ?? 'claude-fake';
    this.send(
      res,
      200,
      {
        id: `msg_${randomUUID().replace(/-/g, '').slice(0, 24)}`,
        type: 'message',
        role: 'assistant',
        model,
        content: reply.content,
        stop_reason: reply.stopReason ?? 'end_turn',
        stop_sequence: null,
        usage: {
          input_tokens: reply.usage?.input_tokens ?? 100,
          output_tokens: reply.usage?.output_tokens ?? 20,
          cache_creation_input_tokens: null,
          cache_read_input_tokens: null,
        },
      },
      requestId,
    );
  }

  private send(
    res: ServerResponse,
    status: number,
    body: unknown,
    requestId: string,
    headers: Record<string, string> = {},
  ): void {
    res.writeHead(status, { 'content-type': 'application/json', 'request-id': requestId, ...headers });
    res.end(JSON.stringify(body));
  }
}
