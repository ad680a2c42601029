import { EventEmitter } from 'node:events';
import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import type { EventStore } from '@modelcontextprotocol/sdk/server/streamableHttp.js';
import type { JSONRPCMessage } from '@modelcontextprotocol/sdk/types.js';
import { decodeEventId, encodeEventId } from './mcp-event-id.js';
import type { McpEventKind } from './mcp-event.entity.js';

/** An event as a resume replays it. */
export interface StoredEvent {
  eventId: string;
  seq: string;
  kind: McpEventKind;
  message: JSONRPCMessage;
}

/** How many events one read of a stream answers (a resume reads on until it has them all). */
const PAGE = 200;

/**
 * The SSE events of every session's streams, in PostgreSQL (`mcp_events`), so that any instance can
 * replay them: the SDK's EventStore, one per session (`forSession`), plus the reads a cross-instance
 * resume needs (McpStreamResumer). Events are stored in the order the SDK writes them: the writes
 * of one stream are chained, so a later event of a stream never gets a smaller id. Storing also
 * wakes the resumes of this instance waiting on that stream; those of other instances poll.
 */
@Injectable()
export class McpEventStore {
  private readonly stored = new EventEmitter();

  constructor(@InjectDataSource() private readonly dataSource: DataSource) {
    this.stored.setMaxListeners(0);
  }

  /** The SDK's EventStore of one session; muted (storing nothing) until `unmute()`. */
  forSession(sessionId: string, options: { muted: boolean }): SessionEventStore {
    return new SessionEventStore(this, sessionId, options.muted);
  }

  async insert(sessionId: string, streamId: string, message: JSONRPCMessage): Promise<string> {
    const rows: Array<{ id: string }> = await this.dataSource.query(
      `INSERT INTO mcp_events (session_id, stream_id, kind, message) VALUES ($1, $2, $3, $4::jsonb)
       RETURNING id::text AS id`,
      [sessionId, streamId, kindOf(message), JSON.stringify(message)],
    );
    this.stored.emit(key(sessionId, streamId));
    return rows[0].id;
  }

  /** Whether the session has this event (a Last-Event-ID worth resuming from). */
  async has(sessionId: string, streamId: string, seq: string): Promise<boolean> {
    const rows: unknown[] = await this.dataSource.query(
      `SELECT 1 FROM mcp_events WHERE session_id = $1 AND stream_id = $2 AND id = $3::bigint`,
      [sessionId, streamId, seq],
    );
    return rows.length > 0;
  }

  /** Whether the stream's JSON-RPC response was stored at or before `seq` (the client has it). */
  async answeredBy(sessionId: string, streamId: string, seq: string): Promise<boolean> {
    const rows: unknown[] = await this.dataSource.query(
      `SELECT 1 FROM mcp_events
        WHERE session_id = $1 AND stream_id = $2 AND id <= $3::bigint AND kind = 'response' LIMIT 1`,
      [sessionId, streamId, seq],
    );
    return rows.length > 0;
  }

  /** The stream's events after `seq`, oldest first, at most one page; priming events are left out. */
  async after(sessionId: string, streamId: string, seq: string): Promise<StoredEvent[]> {
    const rows: Array<{ id: string; kind: McpEventKind; message: JSONRPCMessage }> =
      await this.dataSource.query(
        `SELECT id::text AS id, kind, message FROM mcp_events
        WHERE session_id = $1 AND stream_id = $2 AND id > $3::bigint AND kind <> 'priming'
        ORDER BY id LIMIT ${PAGE}`,
        [sessionId, streamId, seq],
      );
    return rows.map((r) => ({
      eventId: encodeEventId(streamId, r.id),
      seq: r.id,
      kind: r.kind,
      message: r.message,
    }));
  }

  /** Resolves when this instance stores an event of the stream, or after `ms`, or on `signal`. */
  waitForStored(sessionId: string, streamId: string, ms: number, signal: AbortSignal): Promise<void> {
    return new Promise((resolve) => {
      const name = key(sessionId, streamId);
      const done = () => {
        clearTimeout(timer);
        this.stored.off(name, done);
        signal.removeEventListener('abort', done);
        resolve();
      };
      const timer = setTimeout(done, ms);
      this.stored.once(name, done);
      signal.addEventListener('abort', done, { once: true });
    });
  }

  /** Deletes the events of closed sessions and every event older than `retentionMs`. */
  async deleteExpired(retentionMs: number): Promise<void> {
    await this.dataSource.query(
      `DELETE FROM mcp_events
        WHERE created_at < now() - ($1::int * interval '1 millisecond')
           OR session_id IN (SELECT id FROM mcp_sessions WHERE closed_at IS NOT NULL)`,
      [retentionMs],
    );
  }
}

/**
 * The EventStore the SDK transport of one session writes to and replays from (a replay here serves
 * the standalone GET stream; request streams are resumed by McpStreamResumer). Muted while the
 * session is being rebuilt, so the replayed handshake leaves nothing behind.
 */
export class SessionEventStore implements EventStore {
  private readonly chains = new Map<string, Promise<unknown>>();

  constructor(
    private readonly store: McpEventStore,
    readonly sessionId: string,
    private muted: boolean,
  ) {}

  unmute(): void {
    this.muted = false;
  }

  storeEvent(streamId: string, message: JSONRPCMessage): Promise<string> {
    if (this.muted) return Promise.resolve(encodeEventId(streamId, 1));
    // one stream's writes one after another: ids follow the order the SDK sent the events in
    const previous = this.chains.get(streamId) ?? Promise.resolve();
    const next = previous
      .catch(() => undefined)
      .then(() => this.store.insert(this.sessionId, streamId, message))
      .then((seq) => encodeEventId(streamId, seq));
    this.chains.set(streamId, next);
    void next
      .finally(() => {
        if (this.chains.get(streamId) === next) this.chains.delete(streamId);
      })
      .catch(() => undefined);
    return next;
  }

  async getStreamIdForEventId(eventId: string): Promise<string | undefined> {
    const position = decodeEventId(eventId);
    if (!position) return undefined;
    return (await this.store.has(this.sessionId, position.streamId, position.seq))
      ? position.streamId
      : undefined;
  }

  async replayEventsAfter(
    lastEventId: string,
    { send }: { send: (eventId: string, message: JSONRPCMessage) => Promise<void> },
  ): Promise<string> {
    const position = decodeEventId(lastEventId);
    if (!position) throw new Error('Last-Event-ID is not an event id of this server');
    let seq = position.seq;
    for (;;) {
      const page = await this.store.after(this.sessionId, position.streamId, seq);
      for (const event of page) await send(event.eventId, event.message);
      if (page.length < PAGE) return position.streamId;
      seq = page[page.length - 1].seq;
    }
  }
}

/** The kind of a stored message: the priming event carries none (`{}`). */
export function kindOf(message: JSONRPCMessage | Record<string, never>): McpEventKind {
  const m = message as { method?: unknown; id?: unknown; result?: unknown; error?: unknown };
  if (typeof m.method === 'string') return m.id === undefined ? 'notification' : 'request';
  if (m.result !== undefined || m.error !== undefined) return 'response';
  return 'priming';
}

function key(sessionId: string, streamId: string): string {
  return `${sessionId} ${streamId}`;
}
