import { randomUUID } from 'node:crypto';
import type { ServerResponse } from 'node:http';
import { Inject, Injectable, Logger } from '@nestjs/common';
import type { BeforeApplicationShutdown, OnModuleDestroy, OnModuleInit } from '@nestjs/common';
import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { WebStandardStreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/webStandardStreamableHttp.js';
import { Gauge } from 'prom-client';
import { AppConfig } from '../../config/app-config.js';
import { MetricsService } from '../../observability/metrics.service.js';
import type { AuthUser } from '../../auth/auth.types.js';
import { ToolPolicy } from '../tool.policy.js';
import { McpEventStore } from './mcp-event.store.js';
import type { SessionEventStore } from './mcp-event.store.js';
import type { LoggingLevel } from './mcp-logging.js';
import { McpServerFactory } from './mcp-server.factory.js';
import type { McpSessionLogging } from './mcp-server.factory.js';
import { McpSessionRepository } from './mcp-session.repository.js';
import { McpSessionRowCache } from './mcp-session-row.cache.js';
import type { McpHttpRequest, McpSessionRecord } from './mcp-session.types.js';
import {
  adoptSession,
  initializeParams,
  serveWithTransport,
  toWebRequest,
  writeWebResponse,
} from './mcp-web-transport.js';

export type { McpHttpRequest } from './mcp-session.types.js';

/** One MCP session as this process holds it: its own transport and McpServer, bound to its user. */
export interface McpSession {
  readonly id: string;
  readonly userId: string;
  readonly transport: WebStandardStreamableHTTPServerTransport;
  readonly server: McpServer;
  /** The threshold as the row had it at this request (or as logging/setLevel set it here). */
  readonly logging: { level: LoggingLevel | null };
  /** When this process last served a request of it. */
  lastSeenAt: number;
  /** Until when its row's last_seen_at is known to be written (this process's clock). */
  rowSeenAt: number;
  /** POST/DELETE requests in flight (a long-lived GET stream does not keep a session alive). */
  busy: number;
}

/**
 * MCP sessions that every instance on the database serves. A session is a row (`mcp_sessions`,
 * McpSessionRepository), written when it is initialized; each process holds a local copy (a
 * transport and an McpServer) of the sessions it served, and rebuilds one from the row when a
 * request comes for a session it does not hold (adoptSession). The row is the truth: requests read
 * it (McpGateway; a process reuses its read of a session it holds for a second, McpSessionRowCache),
 * so a session closed anywhere (DELETE, idle, the cap) is refused everywhere within a second.
 *
 * - Idle: a session unused for MCP_SESSION_IDLE_MS is refused from then on, and closed by any
 *   instance's sweep (rows, then the local copies of closed rows). `last_seen_at` is written only
 *   when it is a tenth of the idle limit behind (at most every 30 s), at a request's start and end,
 *   and the sweep keeps sessions with a request in flight fresh: so a session expires between 0.9 and
 *   1 times the limit after its last use.
 * - Cap: a user holds at most MCP_MAX_SESSIONS_PER_USER open rows; opening one more closes the
 *   least recently used (one with a request in flight on this instance only if nothing else is
 *   left). The new one always opens, so a client that lost its session id is never locked out.
 * - Shutdown: the local copies close after the work that asked to keep them (holdOpenDuringShutdown:
 *   the runner's in-flight ticks) and the requests in flight (at most RUNNER_SHUTDOWN_GRACE_MS), and
 *   before the HTTP server closes; the rows stay open, and the other instances go on serving them.
 */
@Injectable()
export class McpSessionManager implements OnModuleInit, OnModuleDestroy, BeforeApplicationShutdown {
  private readonly logger = new Logger(McpSessionManager.name);
  private readonly sessions = new Map<string, McpSession>();
  private readonly rebuilding = new Map<string, Promise<McpSession>>();
  private readonly rowReads = new McpSessionRowCache();
  private readonly holds = new Set<Promise<unknown>>();
  private sweepTimer?: NodeJS.Timeout;
  private sweeping = false;

  constructor(
    @Inject(AppConfig) private readonly config: AppConfig,
    @Inject(McpServerFactory) private readonly factory: McpServerFactory,
    @Inject(ToolPolicy) private readonly policy: ToolPolicy,
    @Inject(McpSessionRepository) private readonly repo: McpSessionRepository,
    @Inject(McpEventStore) private readonly events: McpEventStore,
    @Inject(MetricsService) metrics: MetricsService,
  ) {
    if (!metrics.registry.getSingleMetric('mana_mcp_sessions')) {
      const sessions = this.sessions;
      new Gauge({
        name: 'mana_mcp_sessions',
        help: 'Open MCP sessions held by this process (rebuilt from their rows on demand)',
        registers: [metrics.registry],
        collect() {
          this.set(sessions.size);
        },
      });
    }
  }

  onModuleInit(): void {
    const every = Math.min(60_000, Math.max(250, Math.floor(this.config.mcpSessionIdleMs / 4)));
    this.sweepTimer = setInterval(() => void this.sweep(), every);
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
    await this.drain(this.config.shutdownGraceMs);
    const held = [...this.sessions.values()];
    await Promise.allSettled(held.map((s) => this.closeLocal(s, 'shutdown')));
  }

  /**
   * Lets the requests in flight finish (at most `ms`): closing a server aborts its handlers, and an
   * answer that is stored can still reach a client that resumes on another instance.
   */
  private async drain(ms: number): Promise<void> {
    const until = Date.now() + ms;
    while ([...this.sessions.values()].some((s) => s.busy > 0) && Date.now() < until) {
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }

  /** The local copy of a session, if this process holds one. */
  get(id: string): McpSession | undefined {
    return this.sessions.get(id);
  }

  get size(): number {
    return this.sessions.size;
  }

  /**
   * The session's row when it is open (not closed, not idle). A row that is not open has its local
   * copy closed here, and is closed itself when it only expired.
   */
  async find(id: string): Promise<McpSessionRecord | undefined> {
    const cached = this.sessions.has(id) ? this.rowReads.get(id) : undefined;
    if (cached) return cached;
    const record = await this.repo.find(id, this.config.mcpSessionIdleMs);
    if (record?.open) {
      this.rowReads.remember(record);
      return record;
    }
    this.rowReads.forget(id);
    const local = this.sessions.get(id);
    if (local) void this.closeLocal(local, 'closed');
    if (record && !record.closed) void this.closeRows([id], 'idle');
    return undefined;
  }

  /** A new session for an initialize request: its row, its server, and the transport's answer. */
  async open(req: McpHttpRequest, res: ServerResponse, user: AuthUser): Promise<void> {
    const id = randomUUID();
    const init = initializeParams(req.body);
    const destructive = await this.policy.destructiveEnabled(user.id);
    const logging = { level: null as LoggingLevel | null };
    const server = this.factory.create(user, destructive, this.loggingOf(id, logging));
    let session: McpSession | undefined;
    let failure: unknown;
    const transport = this.newTransport(id, this.events.forSession(id, { muted: false }), async () => {
      try {
        await this.repo.insert(id, user.id, init, destructive);
      } catch (error) {
        failure = error;
        throw error;
      }
      session = this.hold(id, user.id, transport, server, logging);
      session.busy = 1;
      await this.enforceCap(user.id, id).catch((error: unknown) =>
        this.logger.warn({ err: error, userId: user.id }, 'could not enforce the MCP session cap'),
      );
    });
    await server.connect(transport);
    try {
      const response = await transport.handleRequest(toWebRequest(req), {
        authInfo: req.auth,
        parsedBody: req.body,
      });
      if (failure !== undefined) {
        await response.body?.cancel();
        throw failure;
      }
      await writeWebResponse(response, res);
    } finally {
      if (session) this.release(session);
      else await server.close(); // refused, or the row could not be written: nothing to keep
    }
  }

  /** A request on an open session of `user` (ownership checked by the gateway), held or rebuilt. */
  async serve(
    record: McpSessionRecord,
    user: AuthUser,
    req: McpHttpRequest,
    res: ServerResponse,
  ): Promise<void> {
    const session = this.sessions.get(record.id) ?? (await this.rebuild(record, user));
    session.logging.level = record.loggingLevel;
    const counts = req.method !== 'GET';
    if (counts) session.busy++;
    this.seen(session, record.seenMsAgo);
    try {
      await serveWithTransport(session.transport, req, res);
    } finally {
      if (counts) this.release(session);
    }
  }

  /** DELETE: the row is closed (every instance refuses it from now on), and the local copy. */
  async terminate(record: McpSessionRecord, res: ServerResponse): Promise<void> {
    await this.repo.close([record.id], 'deleted');
    this.rowReads.forget(record.id);
    const local = this.sessions.get(record.id);
    if (local) await this.closeLocal(local, 'deleted');
    res.statusCode = 200;
    res.end();
  }

  private newTransport(
    id: string,
    events: SessionEventStore,
    onsessioninitialized?: () => Promise<void>,
  ): WebStandardStreamableHTTPServerTransport {
    const transport = new WebStandardStreamableHTTPServerTransport({
      sessionIdGenerator: () => id,
      eventStore: events,
      retryInterval: this.config.mcpSseRetryMs,
      onsessioninitialized,
    });
    transport.onclose = () => {
      if (this.sessions.get(id)?.transport === transport) this.sessions.delete(id);
    };
    return transport;
  }

  private hold(
    id: string,
    userId: string,
    transport: WebStandardStreamableHTTPServerTransport,
    server: McpServer,
    logging: { level: LoggingLevel | null },
  ): McpSession {
    const now = Date.now();
    const session: McpSession = {
      id,
      userId,
      transport,
      server,
      logging,
      lastSeenAt: now,
      rowSeenAt: now,
      busy: 0,
    };
    this.sessions.set(id, session);
    return session;
  }

  /** One rebuild per session at a time: concurrent first requests share it. */
  private rebuild(record: McpSessionRecord, user: AuthUser): Promise<McpSession> {
    let pending = this.rebuilding.get(record.id);
    if (!pending) {
      pending = this.build(record, user).finally(() => this.rebuilding.delete(record.id));
      this.rebuilding.set(record.id, pending);
    }
    return pending;
  }

  private async build(record: McpSessionRecord, user: AuthUser): Promise<McpSession> {
    const logging = { level: record.loggingLevel };
    const server = this.factory.create(user, record.destructiveTools, this.loggingOf(record.id, logging));
    const events = this.events.forSession(record.id, { muted: true });
    const transport = this.newTransport(record.id, events);
    await server.connect(transport);
    try {
      await adoptSession(transport, record.id, record.init);
    } catch (error) {
      await server.close();
      throw error;
    }
    events.unmute();
    this.logger.debug({ sessionId: record.id, userId: record.userId }, 'rebuilt an MCP session from its row');
    return this.hold(record.id, record.userId, transport, server, logging);
  }

  private loggingOf(id: string, logging: { level: LoggingLevel | null }): McpSessionLogging {
    return {
      level: () => logging.level,
      setLevel: async (level) => {
        await this.repo.setLoggingLevel(id, level);
        logging.level = level;
        this.rowReads.forget(id);
      },
    };
  }

  /** How far `last_seen_at` may fall behind before a request writes it. */
  private get touchEveryMs(): number {
    return Math.min(30_000, Math.max(200, Math.floor(this.config.mcpSessionIdleMs / 10)));
  }

  /** A request starts; `rowAgoMs` is how old the row's last_seen_at was when the gateway read it. */
  private seen(session: McpSession, rowAgoMs: number): void {
    const now = Date.now();
    session.lastSeenAt = now;
    session.rowSeenAt = Math.max(session.rowSeenAt, now - rowAgoMs);
    if (now - session.rowSeenAt >= this.touchEveryMs) this.writeSeen(session);
  }

  private release(session: McpSession): void {
    session.busy = Math.max(0, session.busy - 1);
    session.lastSeenAt = Date.now();
    if (session.lastSeenAt - session.rowSeenAt >= this.touchEveryMs) this.writeSeen(session);
  }

  private writeSeen(session: McpSession): void {
    session.rowSeenAt = Date.now();
    this.repo
      .touch([session.id])
      .catch((error: unknown) =>
        this.logger.warn({ err: error, sessionId: session.id }, 'could not touch an MCP session'),
      );
  }

  private async enforceCap(userId: string, keepId: string): Promise<void> {
    // this process's recency of the user's sessions, exactly (the rows may lag by touchEveryMs)
    const now = Date.now();
    const mine = [...this.sessions.values()].filter((s) => s.userId === userId && s.id !== keepId);
    await this.repo.touchAgo(mine.map((s) => ({ id: s.id, agoMs: now - s.lastSeenAt })));
    const others = await this.repo.openOfUser(userId, keepId, this.config.mcpSessionIdleMs);
    const excess = others.length + 1 - this.config.mcpMaxSessionsPerUser;
    if (excess <= 0) return;
    // least recently used first; one with a request in flight here only if nothing else is left
    const busyHere = (id: string) => Number((this.sessions.get(id)?.busy ?? 0) > 0);
    const order = others.reverse().sort((a, b) => busyHere(a) - busyHere(b));
    await this.closeRows(order.slice(0, excess), 'session cap');
  }

  private async closeRows(ids: string[], reason: 'idle' | 'session cap'): Promise<void> {
    try {
      const closed = await this.repo.close(ids, reason);
      for (const id of closed) {
        this.rowReads.forget(id);
        const local = this.sessions.get(id);
        if (local) void this.closeLocal(local, reason);
      }
    } catch (error) {
      this.logger.warn({ err: error, reason }, 'could not close MCP sessions');
    }
  }

  /**
   * Every instance, every quarter of the idle limit (at most a minute): keeps the rows of sessions
   * with a request in flight here fresh, closes idle rows, lets go of local copies whose rows are
   * closed (unless a request of theirs is in flight), and forgets old closed sessions and events.
   */
  private async sweep(): Promise<void> {
    if (this.sweeping) return;
    this.sweeping = true;
    const idle = this.config.mcpSessionIdleMs;
    try {
      const busy = [...this.sessions.values()].filter((s) => s.busy > 0);
      await this.repo.touch(busy.map((s) => s.id));
      for (const s of busy) s.rowSeenAt = Date.now();
      await this.repo.closeIdle(idle);
      const open = await this.repo.stillOpen([...this.sessions.keys()], idle);
      for (const s of [...this.sessions.values()]) {
        if (!open.has(s.id) && s.busy === 0) void this.closeLocal(s, 'closed');
      }
      await this.repo.deleteClosed(this.config.mcpEventRetentionMs);
      await this.events.deleteExpired(this.config.mcpEventRetentionMs);
    } catch (error) {
      this.logger.warn({ err: error }, 'the MCP session sweep failed; it runs again shortly');
    } finally {
      this.sweeping = false;
    }
  }

  private async closeLocal(session: McpSession, reason: string): Promise<void> {
    if (this.sessions.get(session.id) === session) this.sessions.delete(session.id);
    this.rowReads.forget(session.id);
    this.logger.debug({ sessionId: session.id, userId: session.userId, reason }, 'closing MCP session');
    try {
      await session.server.close();
    } catch (error) {
      this.logger.warn({ err: error, sessionId: session.id }, 'error while closing an MCP session');
    }
  }
}
