import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { Inject, Injectable, Logger } from '@nestjs/common';
import type { BeforeApplicationShutdown, OnModuleDestroy, OnModuleInit } from '@nestjs/common';
import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { StreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/streamableHttp.js';
import type { AuthInfo } from '@modelcontextprotocol/sdk/server/auth/types.js';
import { Gauge } from 'prom-client';
import { AppConfig } from '../../config/app-config.js';
import { MetricsService } from '../../observability/metrics.service.js';
import type { AuthUser } from '../../auth/auth.types.js';
import { ToolPolicy } from '../tool.policy.js';
import { McpServerFactory } from './mcp-server.factory.js';

/** One MCP session: its own transport and its own McpServer, bound to the user who opened it. */
export interface McpSession {
  readonly id: string;
  readonly userId: string;
  readonly transport: StreamableHTTPServerTransport;
  readonly server: McpServer;
  readonly createdAt: number;
  lastSeenAt: number;
  /** POST/DELETE requests in flight (a long-lived GET stream does not keep a session alive). */
  busy: number;
}

export type McpHttpRequest = IncomingMessage & { auth?: AuthInfo; body?: unknown };

/**
 * The live MCP sessions of this process. Sessions idle for MCP_SESSION_IDLE_MS are closed by a
 * sweep; a user holds at most MCP_MAX_SESSIONS_PER_USER: opening one more closes that user's
 * least recently used session (the new one always opens, so a client that lost its session id is
 * never locked out). All sessions are closed when the app shuts down, but only after the work that
 * asked to keep them (holdOpenDuringShutdown: the runner's in-flight ticks) is over, and before the
 * HTTP server closes (an open GET stream would keep it from closing).
 */
@Injectable()
export class McpSessionManager implements OnModuleInit, OnModuleDestroy, BeforeApplicationShutdown {
  private readonly logger = new Logger(McpSessionManager.name);
  private readonly sessions = new Map<string, McpSession>();
  private sweepTimer?: NodeJS.Timeout;
  private readonly holds = new Set<Promise<unknown>>();

  constructor(
    @Inject(AppConfig) private readonly config: AppConfig,
    @Inject(McpServerFactory) private readonly factory: McpServerFactory,
    @Inject(ToolPolicy) private readonly policy: ToolPolicy,
    @Inject(MetricsService) metrics: MetricsService,
  ) {
    if (!metrics.registry.getSingleMetric('mana_mcp_sessions')) {
      const sessions = this.sessions;
      new Gauge({
        name: 'mana_mcp_sessions',
        help: 'Open MCP sessions',
        registers: [metrics.registry],
        collect() {
          this.set(sessions.size);
        },
      });
    }
  }

  onModuleInit(): void {
    const every = Math.min(60_000, Math.max(250, Math.floor(this.config.mcpSessionIdleMs / 4)));
    this.sweepTimer = setInterval(() => this.sweep(), every);
    this.sweepTimer.unref();
  }

  onModuleDestroy(): void {
    if (this.sweepTimer) clearInterval(this.sweepTimer);
  }

  /**
   * Keeps every session open during shutdown until `work` settles. Call it from an onModuleDestroy
   * hook: Nest runs all of those before any beforeApplicationShutdown, where the sessions close.
   */
  holdOpenDuringShutdown(work: Promise<unknown>): void {
    this.holds.add(work);
  }

  async beforeApplicationShutdown(): Promise<void> {
    await Promise.allSettled([...this.holds]);
    const open = [...this.sessions.values()];
    await Promise.allSettled(open.map((s) => this.close(s, 'shutdown')));
  }

  get(id: string): McpSession | undefined {
    return this.sessions.get(id);
  }

  get size(): number {
    return this.sessions.size;
  }

  /** A new session for an initialize request: builds its server, lets the transport answer. */
  async open(req: McpHttpRequest, res: ServerResponse, user: AuthUser): Promise<void> {
    const server = this.factory.create(user, await this.policy.destructiveEnabled(user.id));
    let session: McpSession | undefined;
    const transport = new StreamableHTTPServerTransport({
      sessionIdGenerator: () => randomUUID(),
      onsessioninitialized: (id) => {
        const now = Date.now();
        session = { id, userId: user.id, transport, server, createdAt: now, lastSeenAt: now, busy: 1 };
        this.sessions.set(id, session);
        this.enforceCap(user.id, id);
      },
    });
    transport.onclose = () => {
      const id = transport.sessionId;
      if (id && this.sessions.get(id)?.transport === transport) this.sessions.delete(id);
    };
    await server.connect(transport);
    try {
      await transport.handleRequest(req, res, req.body);
    } finally {
      if (session) this.release(session);
      else await server.close(); // the initialize request was refused: nothing to keep
    }
  }

  /** A request on an existing session (ownership already checked by the gateway). */
  async dispatch(session: McpSession, req: McpHttpRequest, res: ServerResponse): Promise<void> {
    const counts = req.method !== 'GET';
    if (counts) session.busy++;
    session.lastSeenAt = Date.now();
    try {
      await session.transport.handleRequest(req, res, req.body);
    } finally {
      if (counts) this.release(session);
    }
  }

  private release(session: McpSession): void {
    session.busy = Math.max(0, session.busy - 1);
    session.lastSeenAt = Date.now();
  }

  private enforceCap(userId: string, keepId: string): void {
    const mine = [...this.sessions.values()].filter((s) => s.userId === userId && s.id !== keepId);
    const excess = mine.length + 1 - this.config.mcpMaxSessionsPerUser;
    if (excess <= 0) return;
    // least recently used first; a session with a request in flight only if nothing else is left
    mine.sort((a, b) => Number(a.busy > 0) - Number(b.busy > 0) || a.lastSeenAt - b.lastSeenAt);
    for (const s of mine.slice(0, excess)) void this.close(s, 'session cap');
  }

  private sweep(): void {
    const cutoff = Date.now() - this.config.mcpSessionIdleMs;
    for (const s of this.sessions.values()) {
      if (s.busy === 0 && s.lastSeenAt <= cutoff) void this.close(s, 'idle');
    }
  }

  private async close(session: McpSession, reason: string): Promise<void> {
    if (this.sessions.get(session.id) === session) this.sessions.delete(session.id);
    this.logger.debug({ sessionId: session.id, userId: session.userId, reason }, 'closing MCP session');
    try {
      await session.server.close();
    } catch (error) {
      this.logger.warn({ err: error, sessionId: session.id }, 'error while closing an MCP session');
    }
  }
}
