import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport, getDefaultEnvironment } from '@modelcontextprotocol/sdk/client/stdio.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import type { Transport } from '@modelcontextprotocol/sdk/shared/transport.js';
import { ErrorCode, McpError } from '@modelcontextprotocol/sdk/types.js';
import type {
  JsonSchemaType,
  JsonSchemaValidator,
  jsonSchemaValidator,
} from '@modelcontextprotocol/sdk/validation/types.js';
import { clip } from '../../common/text.js';
import { injectTraceHeaders } from '../../observability/tracing.js';
import type { ErrorKind } from '../../personas/schedule/persona-schedule.types.js';
import { toolModule } from '../brains/brain.js';
import { describeReason } from './tick-failure.js';
import type { BrainTool } from '../brains/brain.js';
import { TOOL_SEMANTICS_META_KEY } from '../../tool-contract/tool-semantics.js';
import type { PublishedToolSemantics } from '../../tool-contract/tool-semantics.js';
import type { HttpTarget, StdioTarget } from '../targets/target.js';

export const ERROR_MESSAGE_MAX = 2000;

/** One tool call's answer, classified the way the audit trail records it. */
export interface RawToolResult {
  ok: boolean;
  errorKind: ErrorKind | null;
  /** The server's code for an error result (`_meta["mana/error"].code`), or `JSONRPC_<code>`. */
  errorCode?: string | null;
  text: string;
  data: unknown;
}

interface ContentItem {
  type: string;
  text?: string;
}

/**
 * The MCP client would check every tool result against the tool's output schema and throw away an
 * answer that does not conform (a JSON-RPC-like error with no data). The oracle engine checks the
 * same schema itself (`contract.output-schema`) and needs the answer to say what was wrong, so the
 * client's own validation accepts everything; nothing is compiled per session either.
 */
class DeferredSchemaValidator implements jsonSchemaValidator {
  getValidator<T>(_schema: JsonSchemaType): JsonSchemaValidator<T> {
    return (input: unknown) => ({ valid: true, data: input as T, errorMessage: undefined });
  }
}

const sharedValidator = new DeferredSchemaValidator();

/**
 * The persona's MCP client session to this server's own /mcp: the official SDK client over
 * Streamable HTTP with the persona's bearer token, exactly as any outside MCP client would connect.
 */
export class McpToolSession {
  private constructor(
    private readonly client: Client,
    private readonly transport: Transport,
    private readonly headers: { space?: string },
    /** Declarations for an external server's tools (a semantics file), by tool name. */
    private readonly declared: Record<string, PublishedToolSemantics> = {},
  ) {}

  /**
   * A session to an external MCP server: Streamable HTTP with the target's headers on every request,
   * or its stdio command started now (and stopped by `close`) with the target's environment added to
   * the SDK's safe default one. The server's stderr is not shown: it may print its secrets.
   */
  static async openTarget(
    target: HttpTarget | StdioTarget,
    signal: AbortSignal,
    timeoutMs: number,
  ): Promise<McpToolSession> {
    const transport =
      target.kind === 'http'
        ? new StreamableHTTPClientTransport(new URL(target.url), {
            fetch: (url, init) => {
              const h = new Headers(init?.headers);
              for (const [name, value] of Object.entries(target.headers)) h.set(name, value);
              return fetch(url, { ...init, headers: h });
            },
          })
        : new StdioClientTransport({
            command: target.command,
            args: target.args,
            env: { ...getDefaultEnvironment(), ...target.env },
            stderr: 'ignore',
          });
    return McpToolSession.connect(transport, {}, signal, timeoutMs, target.semantics);
  }

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
    return McpToolSession.connect(transport, headers, signal, timeoutMs);
  }

  private static async connect(
    transport: Transport,
    headers: { space?: string },
    signal: AbortSignal,
    timeoutMs: number,
    declared?: Record<string, PublishedToolSemantics>,
  ): Promise<McpToolSession> {
    const client = new Client(
      { name: 'mana-persona-runner', version: '1.0.0' },
      { jsonSchemaValidator: sharedValidator },
    );
    const session = new McpToolSession(client, transport, headers, declared);
    try {
      await client.connect(transport, { signal, timeout: timeoutMs });
    } catch (error) {
      await session.close();
      throw error;
    }
    return session;
  }

  /** Tools the server lists that the personas cannot call, with why (filled by listTools). */
  readonly skipped: Array<{ name: string; why: string }> = [];

  async listTools(signal: AbortSignal, timeoutMs: number): Promise<BrainTool[]> {
    const tools: BrainTool[] = [];
    this.skipped.length = 0;
    let cursor: string | undefined;
    do {
      const page = await this.client.listTools(cursor ? { cursor } : undefined, {
        signal,
        timeout: timeoutMs,
      });
      for (const tool of page.tools) {
        // a tool that only runs as a task (MCP's experimental tasks) needs a client capability the
        // personas do not offer: left out and listed as skipped, never called and never a finding
        if ((tool as { execution?: { taskSupport?: string } }).execution?.taskSupport === 'required') {
          this.skipped.push({ name: tool.name, why: 'runs only as a task (task-based execution)' });
          continue;
        }
        // a semantics file's declaration wins over what the server publishes
        const semantics = this.declared[tool.name] ?? tool._meta?.[TOOL_SEMANTICS_META_KEY];
        tools.push({
          name: tool.name,
          module: toolModule(tool.name),
          description: tool.description ?? '',
          inputSchema: tool.inputSchema as Record<string, unknown>,
          ...(tool.outputSchema ? { outputSchema: tool.outputSchema as Record<string, unknown> } : {}),
          ...(tool.annotations ? { annotations: tool.annotations } : {}),
          ...(semantics && typeof semantics === 'object'
            ? { semantics: semantics as PublishedToolSemantics }
            : {}),
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
          errorCode: errorCodeOf(result._meta),
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
        errorCode: error instanceof McpError ? `JSONRPC_${error.code}` : null,
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
    if (this.transport instanceof StreamableHTTPClientTransport && this.transport.sessionId)
      await bounded(this.transport.terminateSession());
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

/** The error code a server put under `_meta["mana/error"].code` (this app does; others may not). */
function errorCodeOf(meta: unknown): string | null {
  const code = (meta as { 'mana/error'?: { code?: unknown } } | undefined)?.['mana/error']?.code;
  return typeof code === 'string' ? clip(code, 64) : null;
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
