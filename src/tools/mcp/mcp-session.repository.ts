import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { isUuid } from '../../common/uuid.js';
import { isLoggingLevel } from './mcp-logging.js';
import type { LoggingLevel } from './mcp-logging.js';
import type { McpSessionCloseReason } from './mcp-session.entity.js';
import type { McpSessionRecord } from './mcp-session.types.js';
import type { McpInitializeParams } from './mcp-web-transport.js';
import { returnedRows } from '../../database/returned-rows.js';

interface SessionRow {
  id: string;
  user_id: string;
  protocol_version: string;
  client_capabilities: Record<string, unknown>;
  client_info: Record<string, unknown>;
  destructive_tools: boolean;
  logging_level: string | null;
  open: boolean;
  closed: boolean;
  seen_ms_ago: number;
}

/** `now() - <ms>` with the milliseconds as parameter `$n` (an integer). */
const msAgo = (n: number) => `now() - ($${n}::int * interval '1 millisecond')`;

/**
 * The `mcp_sessions` statements; McpSessionManager is their only caller. Every time is judged by the
 * database's clock (`now()`), so instances with skewed clocks agree on what is idle. Each method is
 * one auto-committed statement.
 */
@Injectable()
export class McpSessionRepository {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  async insert(
    id: string,
    userId: string,
    init: McpInitializeParams,
    destructiveTools: boolean,
  ): Promise<void> {
    await this.dataSource.query(
      `INSERT INTO mcp_sessions (id, user_id, protocol_version, client_capabilities, client_info, destructive_tools)
       VALUES ($1, $2, $3, $4::jsonb, $5::jsonb, $6)`,
      [
        id,
        userId,
        init.protocolVersion,
        JSON.stringify(init.capabilities),
        JSON.stringify(init.clientInfo),
        destructiveTools,
      ],
    );
  }

  /**
   * The session, open or not (undefined for an id that is not a UUID or not stored). Read for every
   * request of a session this process does not hold, else at most once a second (McpSessionRowCache).
   */
  async find(id: string, idleMs: number): Promise<McpSessionRecord | undefined> {
    if (!isUuid(id)) return undefined;
    const rows: SessionRow[] = await this.dataSource.query(
      `SELECT id, user_id, protocol_version, client_capabilities, client_info, destructive_tools, logging_level,
              closed_at IS NULL AND last_seen_at > ${msAgo(2)} AS open, closed_at IS NOT NULL AS closed,
              (extract(epoch FROM now() - last_seen_at) * 1000)::float8 AS seen_ms_ago
         FROM mcp_sessions WHERE id = $1`,
      [id, idleMs],
    );
    return rows[0] ? toRecord(rows[0]) : undefined;
  }

  /** Marks the sessions used now (the open ones). */
  async touch(ids: string[]): Promise<void> {
    if (ids.length === 0) return;
    await this.dataSource.query(
      `UPDATE mcp_sessions SET last_seen_at = now() WHERE id = ANY($1::uuid[]) AND closed_at IS NULL`,
      [ids],
    );
  }

  /**
   * Writes when each session was last used, `agoMs` before now, where that is later than what the row
   * says: the exact recency the per-user cap orders by, without a write per request.
   */
  async touchAgo(entries: Array<{ id: string; agoMs: number }>): Promise<void> {
    if (entries.length === 0) return;
    await this.dataSource.query(
      `UPDATE mcp_sessions s SET last_seen_at = now() - (v.ago_ms * interval '1 millisecond')
         FROM unnest($1::uuid[], $2::int[]) AS v(id, ago_ms)
        WHERE s.id = v.id AND s.closed_at IS NULL
          AND s.last_seen_at < now() - (v.ago_ms * interval '1 millisecond')`,
      [entries.map((e) => e.id), entries.map((e) => Math.max(0, Math.round(e.agoMs)))],
    );
  }

  /** The user's other open sessions, most recently used first. */
  async openOfUser(userId: string, exceptId: string, idleMs: number): Promise<string[]> {
    const rows: Array<{ id: string }> = await this.dataSource.query(
      `SELECT id FROM mcp_sessions
        WHERE user_id = $1 AND id <> $2 AND closed_at IS NULL AND last_seen_at > ${msAgo(3)}
        ORDER BY last_seen_at DESC, created_at DESC`,
      [userId, exceptId, idleMs],
    );
    return rows.map((r) => r.id);
  }

  /** Closes the open ones of these sessions; answers the ids it closed. */
  async close(ids: string[], reason: McpSessionCloseReason): Promise<string[]> {
    if (ids.length === 0) return [];
    const rows = returnedRows<{ id: string }>(
      await this.dataSource.query(
        `UPDATE mcp_sessions SET closed_at = now(), closed_reason = $2
        WHERE id = ANY($1::uuid[]) AND closed_at IS NULL RETURNING id`,
        [ids, reason],
      ),
    );
    return rows.map((r) => r.id);
  }

  /** Closes every session unused for `idleMs` (whichever instance served it). */
  async closeIdle(idleMs: number): Promise<string[]> {
    const rows = returnedRows<{ id: string }>(
      await this.dataSource.query(
        `UPDATE mcp_sessions SET closed_at = now(), closed_reason = 'idle'
        WHERE closed_at IS NULL AND last_seen_at <= ${msAgo(1)} RETURNING id`,
        [idleMs],
      ),
    );
    return rows.map((r) => r.id);
  }

  /** Which of these sessions are still open. */
  async stillOpen(ids: string[], idleMs: number): Promise<Set<string>> {
    if (ids.length === 0) return new Set();
    const rows: Array<{ id: string }> = await this.dataSource.query(
      `SELECT id FROM mcp_sessions WHERE id = ANY($1::uuid[]) AND closed_at IS NULL AND last_seen_at > ${msAgo(2)}`,
      [ids, idleMs],
    );
    return new Set(rows.map((r) => r.id));
  }

  async setLoggingLevel(id: string, level: LoggingLevel): Promise<void> {
    await this.dataSource.query(`UPDATE mcp_sessions SET logging_level = $2 WHERE id = $1`, [id, level]);
  }

  /** Forgets sessions closed more than `retentionMs` ago (their events go with them). */
  async deleteClosed(retentionMs: number): Promise<void> {
    await this.dataSource.query(`DELETE FROM mcp_sessions WHERE closed_at < ${msAgo(1)}`, [retentionMs]);
  }
}

function toRecord(row: SessionRow): McpSessionRecord {
  return {
    id: row.id,
    userId: row.user_id,
    init: {
      protocolVersion: row.protocol_version,
      capabilities: row.client_capabilities,
      clientInfo: row.client_info,
    },
    destructiveTools: row.destructive_tools,
    loggingLevel: isLoggingLevel(row.logging_level) ? row.logging_level : null,
    open: row.open,
    closed: row.closed,
    seenMsAgo: Number(row.seen_ms_ago),
  };
}
