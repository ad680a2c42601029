import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { ErrorCode, McpError } from '@modelcontextprotocol/sdk/types.js';
import { AjvJsonSchemaValidator } from '@modelcontextprotocol/sdk/validation/ajv';
import type {
  JsonSchemaType,
  JsonSchemaValidator,
  jsonSchemaValidator,
} from '@modelcontextprotocol/sdk/validation/types.js';
import { clip } from '../common/text.js';
import { injectTraceHeaders } from '../observability/tracing.js';
import type { ErrorKind } from '../personas/persona-schedule.types.js';
import { toolModule } from './brains/brain.js';
import { describeReason } from './tick-failure.js';
import type { BrainTool } from './brains/brain.js';

export const ERROR_MESSAGE_MAX = 2000;

/** One tool call's answer, classified the way the audit trail records it. */
export interface RawToolResult {
  ok: boolean;
  errorKind: ErrorKind | null;
  text: string;
  data: unknown;
}

interface ContentItem {
  type: string;
  text?: string;
}

/**
 * The MCP client checks every tool result against the tool's output schema, compiling a validator
 * per tool on each listTools. Every tick opens a new session and lists the same tools, so one
 * shared, caching validator saves compiling ~30 schemas (and building an Ajv instance) per tick.
 */
class CachedSchemaValidator implements jsonSchemaValidator {
  private readonly ajv = new AjvJsonSchemaValidator();
  private readonly cache = new Map<string, JsonSchemaValidator<unknown>>();

  getValidator<T>(schema: JsonSchemaType): JsonSchemaValidator<T> {
    const key = JSON.stringify(schema);
    let validator = this.cache.get(key);
    if (!validator) {
      if (this.cache.size >= 1000) this.cache.clear();
      validator = this.ajv.getValidator<unknown>(schema);
      this.cache.set(key, validator);
    }
    return validator as JsonSchemaValidator<T>;
  }
}

const sharedValidator = new CachedSchemaValidator();

/**
 * The persona's MCP client session to this server's own /mcp: the official SDK client over
 * Streamable HTTP with the persona's bearer token, exactly as any outside MCP client would connect.
 */
export class McpToolSession {
  private constructor(
    private readonly client: Client,
    private readonly transport: StreamableHTTPClientTransport,
    private readonly headers: { space?: string },
  ) {}

  static async open(
    mcpUrl: string,
    accessToken: string,
    signal: AbortSignal,
    timeoutMs: number,
  ): Promise<McpToolSession> {
    // headers are set per HTTP request, so each call can name its own space (X-Mana-Space)
    const headers: { space?: string } = {};
    const transport = new StreamableHTTPClientTransport(new URL(mcpUrl), {
      fetch: (url, init) => {
        const h = new Headers(init?.headers);
        h.set('authorization', `Bearer ${accessToken}`);
        if (headers.space) h.set('x-mana-space', headers.space);
        else h.delete('x-mana-space');
        // the active span (a tool call's) continues on the server: traceparent, when tracing is on
        injectTraceHeaders(h);
        return fetch(url, { ...init, headers: h });
      },
    });
    const client = new Client(
      { name: 'mana-persona-runner', version: '1.0.0' },
      { jsonSchemaValidator: sharedValidator },
    );
    const session = new McpToolSession(client, transport, headers);
    try {
      await client.connect(transport, { signal, timeout: timeoutMs });
    } catch (error) {
      await session.close();
      throw error;
    }
    return session;
  }

  async listTools(signal: AbortSignal, timeoutMs: number): Promise<BrainTool[]> {
    const tools: BrainTool[] = [];
    let cursor: string | undefined;
    do {
      const page = await this.client.listTools(cursor ? { cursor } : undefined, {
        signal,
        timeout: timeoutMs,
      });
      for (const tool of page.tools) {
        tools.push({
          name: tool.name,
          module: toolModule(tool.name),
          description: tool.description ?? '',
          inputSchema: tool.inputSchema as Record<string, unknown>,
        });
      }
      cursor = page.nextCursor;
    } while (cursor);
    return tools;
  }

  /**
   * Calls one tool. An `isError` result is a `tool` error (the tool answered and said no); a
   * JSON-RPC error or a transport failure is a `protocol` error; an abort or a request timeout is a
   * `timeout`. Never throws for those: every outcome goes into the audit trail.
   */
  async call(
    name: string,
    input: Record<string, unknown>,
    signal: AbortSignal,
    timeoutMs: number,
    spaceId?: string,
  ): Promise<RawToolResult> {
    this.headers.space = spaceId;
    try {
      const result = await this.client.callTool({ name, arguments: input }, undefined, {
        signal,
        timeout: timeoutMs,
      });
      const content = (Array.isArray(result.content) ? result.content : []) as ContentItem[];
      const text = content
        .filter((c) => c.type === 'text' && typeof c.text === 'string')
        .map((c) => c.text)
        .join('\n');
      const structured = (result as { structuredContent?: unknown }).structuredContent;
      const data = structured !== undefined ? structured : parseJson(text);
      if (result.isError === true) {
        return {
          ok: false,
          errorKind: 'tool',
          text: clip(text || 'the tool answered an error', ERROR_MESSAGE_MAX),
          data,
        };
      }
      return { ok: true, errorKind: null, text, data };
    } catch (error) {
      if (signal.aborted) {
        return {
          ok: false,
          errorKind: 'timeout',
          text: clip(`aborted: ${describeReason(signal.reason)}`, ERROR_MESSAGE_MAX),
          data: undefined,
        };
      }
      if (error instanceof McpError && error.code === ErrorCode.RequestTimeout) {
        return {
          ok: false,
          errorKind: 'timeout',
          text: clip(error.message, ERROR_MESSAGE_MAX),
          data: undefined,
        };
      }
      return {
        ok: false,
        errorKind: 'protocol',
        text: clip(describeError(error), ERROR_MESSAGE_MAX),
        data: undefined,
      };
    } finally {
      this.headers.space = undefined;
    }
  }

  /** Ends the session (DELETE /mcp) and closes the client; bounded so a dead server cannot hang a tick. */
  async close(): Promise<void> {
    const bounded = <T>(promise: Promise<T>) =>
      Promise.race([promise, new Promise((resolve) => setTimeout(resolve, 2000).unref())]).catch(
        () => undefined,
      );
    if (this.transport.sessionId) await bounded(this.transport.terminateSession());
    await bounded(this.client.close());
  }
}

function describeError(error: unknown): string {
  if (error instanceof Error) {
    const cause = (error as { cause?: unknown }).cause;
    return cause instanceof Error ? `${error.message} (${cause.message})` : error.message;
  }
  return String(error);
}

function parseJson(text: string): unknown {
  const trimmed = text.trim();
  if (!trimmed.startsWith('{') && !trimmed.startsWith('[')) return undefined;
  try {
    return JSON.parse(trimmed);
  } catch {
    return undefined;
  }
}
