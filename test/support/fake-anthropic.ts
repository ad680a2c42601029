import { createServer } from 'node:http';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import { createHash, randomUUID } from 'node:crypto';

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

/** Usage a scripted reply answers with (cache fields optional; absent = null, as the API answers without caching). */
export interface ScriptedUsage {
  input_tokens: number;
  output_tokens: number;
  cache_creation_input_tokens?: number;
  cache_read_input_tokens?: number;
}

export type FakeReply =
  | {
      kind: 'message';
      content: Block[];
      stopReason?: string;
      usage?: ScriptedUsage;
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
  options: { stopReason?: string; usage?: ScriptedUsage } = {},
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

/** Usage as the Messages API computes it for one request (see PromptCacheModel). */
export interface ComputedUsage {
  input_tokens: number;
  cache_creation_input_tokens: number;
  cache_read_input_tokens: number;
}

export interface PromptCacheOptions {
  /**
   * Shortest cacheable prefix in tokens (docs: 1024 for the Sonnet models and Opus 4.x up to 4.1,
   * 2048 for Haiku 3.x, 4096 for Haiku/Opus 4.5+); a breakpoint on a shorter prefix caches nothing.
   */
  minCacheableTokens: number;
  /** How far back from each breakpoint the API looks for an earlier cache entry (docs: 20 blocks). */
  lookbackBlocks: number;
  /** Clock in ms (tests may move it to expire entries). */
  now: () => number;
}

/** One block of a request in prompt order, with the hash of the whole prefix up to and including it. */
interface PromptBlock {
  prefixHash: string;
  /** Tokens of the prefix up to and including this block. */
  prefixTokens: number;
  cacheControl?: { type: string; ttl?: string };
}

/** The documented limit of cache_control blocks per request. */
export const MAX_CACHE_BREAKPOINTS = 4;

/** Tokens of a piece of the prompt: its JSON length / 4, rounded up (no tokenizer is installed here). */
export const estimateTokens = (value: unknown): number =>
  Math.ceil((typeof value === 'string' ? value : JSON.stringify(value)).length / 4);

/**
 * The prompt cache of the Messages API as its documentation describes it, for the fake:
 * - the prompt is `tools`, then `system`, then `messages`, each a list of blocks in order (a string
 *   `system` or message content counts as one text block); a breakpoint is a block carrying
 *   `cache_control`, and its prefix is every block up to and including it; at most 4 breakpoints;
 * - a prefix is identified by its content (the `cache_control` markers themselves excluded, so a
 *   breakpoint that moves on to the next turn still finds the previous turn's entry) and the model;
 *   a change of `tool_choice` invalidates the message blocks (not tools and system), as documented;
 * - reading: for each breakpoint the API checks that block and up to 19 blocks before it for an
 *   entry; the longest hit is read (`cache_read_input_tokens`) and its TTL refreshed;
 * - writing: the prefix of every breakpoint after the hit that is at least `minCacheableTokens` long
 *   is stored for its TTL (5 minutes, or 1 hour for `ttl: "1h"`); `cache_creation_input_tokens` is
 *   the last such prefix minus what was read;
 * - `input_tokens` is the rest: everything not read and not written (the blocks after the last
 *   written breakpoint, or the whole prompt without caching).
 * Tokens are estimated (estimateTokens), identically for every request, so relative figures hold.
 */
export class PromptCacheModel {
  private readonly entries = new Map<string, number>();
  readonly options: PromptCacheOptions;

  constructor(options: Partial<PromptCacheOptions> = {}) {
    this.options = { minCacheableTokens: 1024, lookbackBlocks: 20, now: Date.now, ...options };
  }

  clear(): void {
    this.entries.clear();
  }

  /** Usage of one request body; throws a 400-style message for more than 4 breakpoints. */
  usage(body: any): ComputedUsage {
    const blocks = this.blocks(body);
    const breakpoints = blocks.map((b, i) => (b.cacheControl ? i : -1)).filter((i) => i >= 0);
    if (breakpoints.length > MAX_CACHE_BREAKPOINTS) {
      throw new Error(
        `A maximum of ${MAX_CACHE_BREAKPOINTS} blocks with cache_control may be provided. Found ${breakpoints.length}.`,
      );
    }
    const total = blocks.length > 0 ? blocks[blocks.length - 1].prefixTokens : 0;
    const now = this.options.now();
    let hit = -1;
    for (const bp of breakpoints) {
      for (let i = bp; i >= Math.max(0, bp - this.options.lookbackBlocks + 1); i -= 1) {
        const expires = this.entries.get(blocks[i].prefixHash);
        if (expires !== undefined && expires > now && i > hit) hit = i;
      }
    }
    const read = hit >= 0 ? blocks[hit].prefixTokens : 0;
    if (hit >= 0) this.entries.set(blocks[hit].prefixHash, now + this.ttlMs(blocks[hit]));
    let written = read;
    for (const bp of breakpoints) {
      const block = blocks[bp];
      if (bp <= hit || block.prefixTokens < this.options.minCacheableTokens) continue;
      this.entries.set(block.prefixHash, now + this.ttlMs(block));
      written = Math.max(written, block.prefixTokens);
    }
    return {
      input_tokens: total - written,
      cache_creation_input_tokens: written - read,
      cache_read_input_tokens: read,
    };
  }

  private ttlMs(block: PromptBlock): number {
    return block.cacheControl?.ttl === '1h' ? 3_600_000 : 300_000;
  }

  private blocks(body: any): PromptBlock[] {
    const out: PromptBlock[] = [];
    let hash = createHash('sha256')
      .update(String(body?.model ?? ''))
      .digest('hex');
    let tokens = 0;
    const add = (section: string, block: any) => {
      const { cache_control: cacheControl, ...content } = block ?? {};
      const salt = section === 'messages' ? JSON.stringify(body?.tool_choice ?? null) : '';
      hash = createHash('sha256')
        .update(`${hash}|${section}|${salt}|${JSON.stringify(content)}`)
        .digest('hex');
      tokens += estimateTokens(content);
      out.push({ prefixHash: hash, prefixTokens: tokens, cacheControl });
    };
    for (const tool of body?.tools ?? []) add('tools', tool);
    const system = body?.system;
    if (typeof system === 'string') add('system', { type: 'text', text: system });
    else for (const block of system ?? []) add('system', block);
    for (const m of body?.messages ?? []) {
      const content = typeof m.content === 'string' ? [{ type: 'text', text: m.content }] : m.content;
      for (const block of content ?? []) add('messages', { role: m.role, ...block });
    }
    return out;
  }
}

export class FakeAnthropic {
  readonly requests: RecordedRequest[] = [];
  /**
   * Off (the default): a reply's usage is what the script says, else 100 in / 20 out. On: input
   * usage is computed from the request as the API documents it (PromptCacheModel), output from
   * the script or estimated from the reply.
   */
  computeUsage = false;
  readonly cache = new PromptCacheModel();
  /** The usage answered to each POST /v1/messages, in order (also when scripted). */
  readonly usages: Array<ComputedUsage & { output_tokens: number }> = [];
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
    this.computeUsage = false;
    this.cache.clear();
    this.usages.length = 0;
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
    let usage: ComputedUsage & { output_tokens: number };
    try {
      usage = this.usageOf(body, reply);
    } catch (error) {
      const msg = error instanceof Error ? error.message : String(error);
      return this.send(
        res,
        400,
        { type: 'error', error: { type: 'invalid_request_error', message: msg }, request_id: requestId },
        requestId,
      );
    }
    this.usages.push(usage);
    const scriptedCache = reply.usage?.cache_creation_input_tokens !== undefined;
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
          input_tokens: usage.input_tokens,
          output_tokens: usage.output_tokens,
          cache_creation_input_tokens:
            this.computeUsage || scriptedCache ? usage.cache_creation_input_tokens : null,
          cache_read_input_tokens: this.computeUsage || scriptedCache ? usage.cache_read_input_tokens : null,
        },
      },
      requestId,
    );
  }

  private usageOf(
    body: unknown,
    reply: Extract<FakeReply, { kind: 'message' }>,
  ): ComputedUsage & { output_tokens: number } {
    const output_tokens =
      reply.usage?.output_tokens ?? (this.computeUsage ? estimateTokens(reply.content) : 20);
    if (this.computeUsage) return { ...this.cache.usage(body), output_tokens };
    return {
      input_tokens: reply.usage?.input_tokens ?? 100,
      cache_creation_input_tokens: reply.usage?.cache_creation_input_tokens ?? 0,
      cache_read_input_tokens: reply.usage?.cache_read_input_tokens ?? 0,
      output_tokens,
    };
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
