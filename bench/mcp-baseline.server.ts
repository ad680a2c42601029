import { randomUUID } from 'node:crypto';
import { createServer } from 'node:http';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { StreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/streamableHttp.js';
import { isInitializeRequest } from '@modelcontextprotocol/sdk/types.js';
import pg from 'pg';
import { z } from 'zod';

/**
 * The bare comparison for bench:mcp: the official MCP SDK over Streamable HTTP with stateful
 * sessions (a new McpServer per session, like ours) doing the same inserts and selects with plain
 * `pg` on its own tables. No Nest, no auth, no policy, no encryption, no output validation.
 */
export interface BaselineServer {
  url: string;
  close(): Promise<void>;
}

const HABIT_COLUMNS = `id, title, emoji, color, position, archived, created_at, updated_at`;
const TASK_COLUMNS = `id, title, description, priority, due_date, completed_at, created_at`;

export async function startBaselineServer(databaseUrl: string, poolSize: number): Promise<BaselineServer> {
  const pool = new pg.Pool({ connectionString: databaseUrl, max: poolSize });
  pool.on('error', () => undefined); // an idle client dropped: the pool replaces it on next use
  // the embedded database takes one connection at a time: wait until the previous phase's is gone
  for (let attempt = 1; ; attempt++) {
    try {
      await pool.query('SELECT 1');
      break;
    } catch (error) {
      if (attempt >= 40) throw error;
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
  }
  await pool.query(`
    CREATE TABLE IF NOT EXISTS bench_habits (
      id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
      space_id uuid NOT NULL,
      title text NOT NULL,
      emoji text,
      color text,
      position integer NOT NULL,
      archived boolean NOT NULL DEFAULT false,
      created_at timestamptz NOT NULL DEFAULT now(),
      updated_at timestamptz NOT NULL DEFAULT now()
    )`);
  await pool.query(`CREATE INDEX IF NOT EXISTS ix_bench_habits_space ON bench_habits (space_id, position)`);
  await pool.query(`
    CREATE TABLE IF NOT EXISTS bench_tasks (
      id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
      space_id uuid NOT NULL,
      title text NOT NULL,
      description text,
      priority text NOT NULL DEFAULT 'medium',
      due_date date,
      completed_at timestamptz,
      created_at timestamptz NOT NULL DEFAULT now()
    )`);
  await pool.query(
    `CREATE INDEX IF NOT EXISTS ix_bench_tasks_space ON bench_tasks (space_id, created_at DESC)`,
  );

  const transports = new Map<string, StreamableHTTPServerTransport>();

  const newSession = async (): Promise<StreamableHTTPServerTransport> => {
    const spaceId = randomUUID();
    const server = new McpServer({ name: 'bench-baseline', version: '1.0.0' });
    const json = (data: unknown) => ({
      content: [{ type: 'text' as const, text: JSON.stringify(data) }],
      structuredContent: data as Record<string, unknown>,
    });
    server.registerTool(
      'habits.create',
      {
        description: 'Create a habit',
        inputSchema: { title: z.string().min(1).max(100), emoji: z.string().max(16).optional() },
      },
      async ({ title, emoji }) => {
        const { rows } = await pool.query(
          `INSERT INTO bench_habits (space_id, title, emoji, position)
           VALUES ($1, $2, $3, (SELECT COALESCE(MAX(position), 0) + 1 FROM bench_habits WHERE space_id = $1))
           RETURNING ${HABIT_COLUMNS}`,
          [spaceId, title, emoji ?? null],
        );
        return json({ habit: rows[0] });
      },
    );
    server.registerTool(
      'todo.create',
      { description: 'Create a task', inputSchema: { title: z.string().min(1).max(200) } },
      async ({ title }) => {
        const { rows } = await pool.query(
          `INSERT INTO bench_tasks (space_id, title) VALUES ($1, $2) RETURNING ${TASK_COLUMNS}`,
          [spaceId, title],
        );
        return json({ task: rows[0] });
      },
    );
    server.registerTool(
      'todo.list',
      {
        description: 'List open tasks',
        inputSchema: { limit: z.number().int().min(1).max(100).optional() },
      },
      async ({ limit }) => {
        const { rows } = await pool.query(
          `SELECT ${TASK_COLUMNS} FROM bench_tasks WHERE space_id = $1 AND completed_at IS NULL
           ORDER BY created_at DESC, id LIMIT $2`,
          [spaceId, limit ?? 20],
        );
        return json({ items: rows, count: rows.length });
      },
    );
    const transport = new StreamableHTTPServerTransport({
      sessionIdGenerator: () => randomUUID(),
      onsessioninitialized: (id) => {
        transports.set(id, transport);
      },
    });
    transport.onclose = () => {
      if (transport.sessionId) transports.delete(transport.sessionId);
    };
    await server.connect(transport);
    return transport;
  };

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const body = chunks.length ? (JSON.parse(Buffer.concat(chunks).toString('utf8')) as unknown) : undefined;
    const id = req.headers['mcp-session-id'];
    const existing = typeof id === 'string' ? transports.get(id) : undefined;
    const transport =
      existing ?? (req.method === 'POST' && isInitializeRequest(body) ? await newSession() : undefined);
    if (!transport) {
      res.writeHead(id ? 404 : 400).end();
      return;
    }
    await transport.handleRequest(req, res, body);
  };
  const http: Server = createServer((req, res) => {
    handle(req, res).catch(() => {
      if (!res.headersSent) res.writeHead(500);
      res.end();
    });
  });
  await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
  const { port } = http.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/mcp`,
    close: async () => {
      await Promise.allSettled([...transports.values()].map((t) => t.close()));
      http.closeAllConnections();
      await new Promise<void>((resolve) => http.close(() => resolve()));
      await pool.end();
    },
  };
}
