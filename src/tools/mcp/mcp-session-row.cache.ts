import { LRUCache } from 'lru-cache';
import type { McpSessionRecord } from './mcp-session.types.js';

/** How long a process reuses its last read of a session row it holds (one read a second per session). */
export const ROW_RECHECK_MS = 1000;

/**
 * The last read of each open session row, reused for ROW_RECHECK_MS while this process holds the
 * session: a client's burst of requests costs one read a second instead of one per request. A
 * change made through this process (DELETE, logging/setLevel) forgets the entry, so it applies here
 * at once; one made on another instance (or the idle sweep there) applies here within
 * ROW_RECHECK_MS.
 */
export class McpSessionRowCache {
  private readonly reads = new LRUCache<string, { record: McpSessionRecord; at: number }>({
    max: 10_000,
    ttl: ROW_RECHECK_MS,
  });
  /** Rows just changed here: a read that began before the change must not be remembered after it. */
  private readonly changed = new LRUCache<string, true>({ max: 10_000, ttl: ROW_RECHECK_MS });

  /** The row as last read, with its age (`seenMsAgo`) moved on by the time since. */
  get(id: string): McpSessionRecord | undefined {
    const read = this.reads.get(id);
    return read && { ...read.record, seenMsAgo: read.record.seenMsAgo + (Date.now() - read.at) };
  }

  remember(record: McpSessionRecord): void {
    if (!this.changed.has(record.id)) this.reads.set(record.id, { record, at: Date.now() });
  }

  /** The row changed (closed, its logging level set): read it again from the next request on. */
  forget(id: string): void {
    this.reads.delete(id);
    this.changed.set(id, true);
  }
}
