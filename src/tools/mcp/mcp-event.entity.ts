import { Column, Entity, PrimaryGeneratedColumn } from 'typeorm';
import type { JSONRPCMessage } from '@modelcontextprotocol/sdk/types.js';

/** What a stored event carries: the priming event (no message), or a JSON-RPC message by its kind. */
export type McpEventKind = 'priming' | 'request' | 'notification' | 'response';

/**
 * One SSE event of an MCP session's stream, kept so the stream can be resumed on any instance
 * (McpEventStore). Written only by McpEventStore.
 */
@Entity({ name: 'mcp_events' })
export class McpEventEntity {
  /** bigint: pg answers it as a string. Orders the events of a stream. */
  @PrimaryGeneratedColumn({ type: 'bigint' })
  id!: string;

  @Column({ name: 'session_id', type: 'uuid' })
  sessionId!: string;

  /** The SDK's stream id: a request stream's UUID, or `_GET_stream` for the standalone stream. */
  @Column({ name: 'stream_id', type: 'text' })
  streamId!: string;

  @Column({ type: 'text' })
  kind!: McpEventKind;

  @Column({ type: 'jsonb' })
  message!: JSONRPCMessage | Record<string, never>;

  @Column({ name: 'created_at', type: 'timestamptz', default: () => 'now()' })
  createdAt!: Date;
}
