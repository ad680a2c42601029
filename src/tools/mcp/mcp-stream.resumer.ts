import type { ServerResponse } from 'node:http';
import { Inject, Injectable } from '@nestjs/common';
import type { BeforeApplicationShutdown } from '@nestjs/common';
import { AppConfig } from '../../config/app-config.js';
import { decodeEventId } from './mcp-event-id.js';
import { McpEventStore } from './mcp-event.store.js';
import { McpErrorCode, McpException } from './mcp.exception.js';

/** How often a resume looks for events another instance stored (this instance's wake it at once). */
export const RESUME_POLL_MS = 200;
/** A comment line this often keeps proxies from closing a resume that is still waiting. */
const KEEP_ALIVE_MS = 15_000;

/**
 * GET with Last-Event-ID on a request stream (a POST's answer whose connection was cut), on any
 * instance: the events stored after that id, then, while the answer is not there yet (the tool may
 * still run on the instance that got the POST), whatever is stored next, until the stream's JSON-RPC
 * response has been sent. Served from the event store alone: the instance need not hold the session,
 * nor the request. Bounded by MCP_RESUME_WAIT_MS; after that the stream ends and the client resumes
 * again from its last event id. (The standalone GET stream is resumed by the SDK transport.)
 */
@Injectable()
export class McpStreamResumer implements BeforeApplicationShutdown {
  private readonly running = new Set<AbortController>();

  constructor(
    @Inject(AppConfig) private readonly config: AppConfig,
    @Inject(McpEventStore) private readonly events: McpEventStore,
  ) {}

  /** Ends every resume this instance serves (their clients resume again elsewhere). */
  beforeApplicationShutdown(): void {
    for (const controller of this.running) controller.abort();
  }

  async resume(sessionId: string, lastEventId: string, res: ServerResponse): Promise<void> {
    const position = decodeEventId(lastEventId);
    if (!position) {
      throw new McpException(
        McpErrorCode.EVENT_ID_INVALID,
        'Last-Event-ID is not an event id of this server (expected <stream id>.<number>)',
      );
    }
    const { streamId } = position;
    if (!(await this.events.has(sessionId, streamId, position.seq))) {
      throw new McpException(
        McpErrorCode.EVENT_NOT_FOUND,
        'Last-Event-ID names no stored event of this session: it expired (MCP_EVENT_RETENTION_MS) or was never sent',
      );
    }
    const controller = new AbortController();
    this.running.add(controller);
    const stop = () => controller.abort();
    res.once('close', stop);
    try {
      openStream(res, sessionId);
      // already answered (a JSON-RPC error does not end an SDK client's resumes): nothing will come,
      // so the stream is held open quietly until the bound, as the SDK's own replay holds it
      const answered = await this.events.answeredBy(sessionId, streamId, position.seq);
      await this.follow(sessionId, streamId, answered ? undefined : position.seq, res, controller.signal);
      res.end();
    } finally {
      res.off('close', stop);
      this.running.delete(controller);
    }
  }

  /**
   * Writes the stream's events after `seq` as they are stored, until its response has been written,
   * the client leaves, or MCP_RESUME_WAIT_MS is over; with no `seq`, only keeps the stream alive.
   */
  private async follow(
    sessionId: string,
    streamId: string,
    from: string | undefined,
    res: ServerResponse,
    signal: AbortSignal,
  ): Promise<void> {
    let seq = from;
    let wroteAt = Date.now();
    const until = Date.now() + this.config.mcpResumeWaitMs;
    while (!signal.aborted && Date.now() < until) {
      const page = seq === undefined ? [] : await this.events.after(sessionId, streamId, seq);
      for (const event of page) {
        res.write(`event: message\nid: ${event.eventId}\ndata: ${JSON.stringify(event.message)}\n\n`);
        seq = event.seq;
        wroteAt = Date.now();
        if (event.kind === 'response') return;
      }
      if (page.length > 0) continue;
      if (Date.now() - wroteAt >= KEEP_ALIVE_MS) {
        res.write(': keepalive\n\n');
        wroteAt = Date.now();
      }
      const wait = Math.min(seq === undefined ? KEEP_ALIVE_MS : RESUME_POLL_MS, until - Date.now());
      if (wait > 0) await this.events.waitForStored(sessionId, streamId, wait, signal);
    }
  }
}

function openStream(res: ServerResponse, sessionId: string): void {
  res.statusCode = 200;
  res.setHeader('Content-Type', 'text/event-stream');
  res.setHeader('Cache-Control', 'no-cache, no-transform');
  res.setHeader('Connection', 'keep-alive');
  res.setHeader('X-Accel-Buffering', 'no');
  res.setHeader('mcp-session-id', sessionId);
  res.flushHeaders();
}
