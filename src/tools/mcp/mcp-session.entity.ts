import { Column, Entity, PrimaryColumn } from 'typeorm';
import type { LoggingLevel } from './mcp-logging.js';

/** Why a session row was closed (the `closed_reason` CHECK lists the same). */
export type McpSessionCloseReason = 'deleted' | 'idle' | 'session cap';

/**
 * An MCP session any instance serves: what the client negotiated at initialize, kept so another
 * instance can rebuild the session (McpSessionManager), and its state. Written only by
 * McpSessionRepository (the tools module owns the table).
 */
@Entity({ name: 'mcp_sessions' })
export class McpSessionEntity {
  @PrimaryColumn({ type: 'uuid' })
  id!: string;

  @Column({ name: 'user_id', type: 'uuid' })
  userId!: string;

  /** The protocol version the initialize negotiated. */
  @Column({ name: 'protocol_version', type: 'text' })
  protocolVersion!: string;

  @Column({ name: 'client_capabilities', type: 'jsonb' })
  clientCapabilities!: Record<string, unknown>;

  /** The client's `clientInfo` (name, version, ...). */
  @Column({ name: 'client_info', type: 'jsonb' })
  clientInfo!: Record<string, unknown>;

  /** Destructive tools were opted into when the session opened: every instance lists the same tools. */
  @Column({ name: 'destructive_tools', type: 'boolean', default: false })
  destructiveTools!: boolean;

  /** Set by logging/setLevel; null: the server's default threshold. */
  @Column({ name: 'logging_level', type: 'text', nullable: true })
  loggingLevel!: LoggingLevel | null;

  @Column({ name: 'created_at', type: 'timestamptz', default: () => 'now()' })
  createdAt!: Date;

  /** Written at most about once per MCP_SESSION_IDLE_MS / 10 (see McpSessionManager). */
  @Column({ name: 'last_seen_at', type: 'timestamptz', default: () => 'now()' })
  lastSeenAt!: Date;

  @Column({ name: 'closed_at', type: 'timestamptz', nullable: true })
  closedAt!: Date | null;

  @Column({ name: 'closed_reason', type: 'text', nullable: true })
  closedReason!: McpSessionCloseReason | null;
}
