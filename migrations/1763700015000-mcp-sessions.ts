import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * MCP sessions that every instance on the database serves (src/tools/mcp):
 * - `mcp_sessions`: one row per session, written when the session is initialized, with what another
 *   instance needs to rebuild it (the negotiated protocol version, the client's capabilities and
 *   info, whether destructive tools were opted into at the time, the logging level the client set).
 *   A session is open while `closed_at` is null and `last_seen_at` is within MCP_SESSION_IDLE_MS;
 *   closed rows are deleted after MCP_EVENT_RETENTION_MS.
 * - `mcp_events`: the SSE events of the sessions' streams (the SDK's EventStore), so a client whose
 *   stream was cut resumes with Last-Event-ID on any instance. The id orders the events; an event id
 *   on the wire is `<stream_id>.<id>`. Deleted with their session, or after MCP_EVENT_RETENTION_MS.
 * The partial indexes serve the per-request lookups and the sweep: a user's open sessions (the cap),
 * the open ones by last use (the idle expiry) and the closed ones by age (the retention).
 */
export class McpSessions1763700015000 implements MigrationInterface {
  name = 'McpSessions1763700015000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE mcp_sessions (
        id uuid PRIMARY KEY,
        user_id uuid NOT NULL,
        protocol_version text NOT NULL,
        client_capabilities jsonb NOT NULL DEFAULT '{}'::jsonb,
        client_info jsonb NOT NULL,
        destructive_tools boolean NOT NULL DEFAULT false,
        logging_level text,
        created_at timestamptz NOT NULL DEFAULT now(),
        last_seen_at timestamptz NOT NULL DEFAULT now(),
        closed_at timestamptz,
        closed_reason text,
        CONSTRAINT fk_mcp_sessions_user FOREIGN KEY (user_id) REFERENCES users(id) ON DELETE CASCADE,
        CONSTRAINT ck_mcp_sessions_protocol_version CHECK (char_length(protocol_version) BETWEEN 1 AND 40),
        CONSTRAINT ck_mcp_sessions_client_capabilities CHECK (jsonb_typeof(client_capabilities) = 'object'),
        CONSTRAINT ck_mcp_sessions_client_info CHECK (jsonb_typeof(client_info) = 'object'),
        CONSTRAINT ck_mcp_sessions_logging_level CHECK (logging_level IS NULL OR logging_level IN
          ('debug', 'info', 'notice', 'warning', 'error', 'critical', 'alert', 'emergency')),
        CONSTRAINT ck_mcp_sessions_closed_reason CHECK (closed_reason IS NULL OR closed_reason IN
          ('deleted', 'idle', 'session cap')),
        CONSTRAINT ck_mcp_sessions_closed CHECK ((closed_at IS NULL) = (closed_reason IS NULL))
      )`);
    await q.query(
      `CREATE INDEX ix_mcp_sessions_user_open ON mcp_sessions (user_id, last_seen_at) WHERE closed_at IS NULL`,
    );
    await q.query(
      `CREATE INDEX ix_mcp_sessions_open_seen ON mcp_sessions (last_seen_at) WHERE closed_at IS NULL`,
    );
    await q.query(
      `CREATE INDEX ix_mcp_sessions_closed ON mcp_sessions (closed_at) WHERE closed_at IS NOT NULL`,
    );
    await q.query(`
      CREATE TABLE mcp_events (
        id bigserial PRIMARY KEY,
        session_id uuid NOT NULL,
        stream_id text NOT NULL,
        kind text NOT NULL,
        message jsonb NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT fk_mcp_events_session FOREIGN KEY (session_id) REFERENCES mcp_sessions(id) ON DELETE CASCADE,
        CONSTRAINT ck_mcp_events_stream_id CHECK (stream_id ~ '^[A-Za-z0-9_-]{1,64}$'),
        CONSTRAINT ck_mcp_events_kind CHECK (kind IN ('priming', 'request', 'notification', 'response'))
      )`);
    await q.query(`CREATE INDEX ix_mcp_events_stream ON mcp_events (session_id, stream_id, id)`);
    await q.query(`CREATE INDEX ix_mcp_events_created ON mcp_events (created_at)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE mcp_events`);
    await q.query(`DROP TABLE mcp_sessions`);
  }
}
