import { EventEmitter } from 'node:events';
import { Injectable, Logger } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import type { EventStore } from '@modelcontextprotocol/sdk/server/streamableHttp.js';
import type { JSONRPCMessage } from '@modelcontextprotocol/sdk/types.js';
import { decodeEventId, encodeEventId, STREAM_START_SEQ } from './mcp-event-id.js';
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

/** How long `has` keeps looking for an event whose INSERT may still be under way: 5 × 200 ms. */
const STORE_LAG_CHECKS = 5;
const STORE_LAG_CHECK_MS = 200;

/** How many event ids one trip to the database reserves (`mcp_events_id_seq`). */
const ID_BLOCK = 256;

/**
 * The SSE events of every session's streams, in PostgreSQL (`mcp_events`), so that any instance can
 * replay them: the SDK's EventStore, one per session (`forSession`), plus the reads a cross-instance
 * resume needs (McpStreamResumer). Events are stored in the order the SDK writes them: the writes
 * of one stream are chained, so a later event of a stream never gets a smaller id. Storing also
 * wakes the resumes of this instance waiting on that stream; those of other instances poll.
 */
@Injectable()
export class McpEventStore {
  private readonly logger = new Logger(McpEventStore.name);
  private readonly stored = new EventEmitter();
  /** Event ids reserved from the table's sequence and not handed out yet, ascending. */
  private ids: string[] = [];
  private refill?: Promise<void>;

  constructor(@InjectDataSource() private readonly dataSource: DataSource) {
    this.stored.setMaxListeners(0);
  }

  /** The SDK's EventStore of one session; muted (storing nothing) until `unmute()`. */
  forSession(sessionId: string, options: { muted: boolean }): SessionEventStore {
    return new SessionEventStore(this, sessionId, options.muted);
  }

  /**
   * The id of the next event this instance stores: taken from a block reserved from the table's own
   * sequence, so ids stay unique across instances and grow within a stream (a request stream is
   * written by the one instance that got its POST), at one database trip per ID_BLOCK events.
   */
  async nextId(): Promise<string> {
    while (this.ids.length === 0) {
      this.refill ??= this.reserve().finally(() => (this.refill = undefined));
      await this.refill;
    }
    return this.ids.shift() as string;
  }

  private async reserve(): Promise<void> {
    const rows: Array<{ id: string }> = await this.dataSource.query(
      `SELECT nextval('mcp_events_id_seq')::text AS id FROM generate_series(1, ${ID_BLOCK})`,
    );
    this.ids.push(...rows.map((r) => r.id).sort((a, b) => (BigInt(a) < BigInt(b) ? -1 : 1)));
  }

  async insert(sessionId: string, streamId: string, id: string, message: JSONRPCMessage): Promise<void> {
    await this.dataSource.query(
      `INSERT INTO mcp_events (id, session_id, stream_id, kind, message) VALUES ($1::bigint, $2, $3, $4, $5::jsonb)`,
      [id, sessionId, streamId, kindOf(message), JSON.stringify(message)],
    );
    this.stored.emit(key(sessionId, streamId));
  }

  /** An insert failed: the answer went out live, only a resume of it would miss the event. */
  insertFailed(sessionId: string, streamId: string, error: unknown): void {
    this.logger.warn({ err: error, sessionId, streamId }, 'could not store an MCP stream event for resumes');
  }

  /**
   * Whether the session has this event (a Last-Event-ID worth resuming from). A stream's start
   * (its priming event, never stored) always is: a resume from there waits for the stream's events
   * like one whose answer is still being worked on, bounded by MCP_RESUME_WAIT_MS.
   */
  async has(sessionId: string, streamId: string, seq: string): Promise<boolean> {
    if (seq === STREAM_START_SEQ) return true;
    // an event's INSERT goes on after the event was sent (storeEvent): a client quick to resume may
    // name one still on its way, so an id not found yet is looked for again, briefly
    for (let attempt = 0; ; attempt += 1) {
      const rows: unknown[] = await this.dataSource.query(
        `SELECT 1 FROM mcp_events WHERE session_id = $1 AND stream_id = $2 AND id = $3::bigint`,
        [sessionId, streamId, seq],
      );
      if (rows.length > 0) return true;
      if (attempt === STORE_LAG_CHECKS) return false;
      await new Promise((resolve) => setTimeout(resolve, STORE_LAG_CHECK_MS));
    }
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

  /**
   * Answers the event's id as soon as it has one, and stores the event behind it: the SDK writes
   * the event to the client once this resolves, so the answer does not wait for the INSERT. One
   * stream's ids are taken, and its events stored, one after another, in the order the SDK sent
   * them. A resume asking for an event whose INSERT is still under way waits for it
   * (McpStreamResumer).
   */
  storeEvent(streamId: string, message: JSONRPCMessage): Promise<string> {
    // a priming event (no message) marks the start of its stream: nothing to store or replay
    if (this.muted || kindOf(message) === 'priming') {
      return Promise.resolve(encodeEventId(streamId, STREAM_START_SEQ));
    }
    let ready!: (id: string) => void;
    const id = new Promise<string>((resolve) => (ready = resolve));
    const previous = this.chains.get(streamId) ?? Promise.resolve();
    const stored = previous
      .catch(() => undefined)
      .then(async () => {
        const seq = await this.store.nextId();
        ready(seq);
        await this.store.insert(this.sessionId, streamId, seq, message);
      });
    // no id could be reserved (the database is down): the SDK's send fails, as an insert did before
    const answer = Promise.race([id, stored.then(() => id)]);
    this.chains.set(streamId, stored);
    void stored
      .catch((error: unknown) => this.store.insertFailed(this.sessionId, streamId, error))
      .finally(() => {
        if (this.chains.get(streamId) === stored) this.chains.delete(streamId);
      });
    return answer.then((seq) => encodeEventId(streamId, seq));
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
