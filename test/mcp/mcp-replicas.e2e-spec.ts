import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { LoggingMessageNotificationSchema } from '@modelcontextprotocol/sdk/types.js';
import type { CallToolResult, LoggingMessageNotification } from '@modelcontextprotocol/sdk/types.js';
import { embeddedDb } from '../support/test-app.js';
import { http } from '../support/http.js';
import { uniqueEmail, TEST_PASSWORD } from '../support/factories.js';
import { startReplicas } from '../support/server-process.js';
import type { Replicas, ServerProcess, ThrowawayDatabase } from '../support/server-process.js';
import { startRoundRobinProxy } from '../support/round-robin-proxy.js';
import type { ProxiedRequest, RoundRobinProxy } from '../support/round-robin-proxy.js';
import { waitFor } from '../support/wait-for.js';
import { ROW_RECHECK_MS } from '../../src/tools/mcp/mcp-session-row.cache.js';
import { dataOf, initializeMessage } from './mcp-client.js';

/** todo.list answers this much later on both instances (a planted `todo.list.slow`). */
const SLOW_MS = 2500;

interface Replica {
  client: Client;
  sessionId: string;
  /** notifications/message the client got, in order. */
  logs: LoggingMessageNotification['params'][];
  /** This session's requests as the proxy passed them on. */
  requests(): ProxiedRequest[];
}

// Two processes on one database: the embedded database serves one process only. CI sets DATABASE_URL.
const describeOnPostgres = embeddedDb() ? describe.skip : describe;

describeOnPostgres(
  'MCP sessions on two instances behind a round-robin proxy (skipped on the embedded database)',
  () => {
    const clients: Client[] = [];
    let replicas: Replicas | undefined;
    let servers: ServerProcess[];
    let db: ThrowawayDatabase;
    let proxy: RoundRobinProxy;

    beforeAll(async () => {
      replicas = await startReplicas('mana_mcp_replicas', 2, () => ({
        MCP_SSE_RETRY_MS: '100',
        FAULTS: JSON.stringify([{ defect: 'todo.list.slow', delayMs: SLOW_MS }]),
      }));
      ({ servers, db } = replicas);
      proxy = await startRoundRobinProxy(servers.map((s) => s.url));
    });

    afterAll(async () => {
      await Promise.allSettled(clients.map((c) => c.close()));
      await proxy?.close();
      await replicas?.stop();
    });

    /** A new user, signed up on the first instance (its token is good on both: same keys). */
    async function newUser(): Promise<{ id: string; token: string }> {
      const res = await http(servers[0].url, 'POST', '/api/v1/auth/register', {
        body: { email: uniqueEmail('replica'), password: TEST_PASSWORD },
      });
      if (res.status !== 201) throw new Error(`register failed: ${res.status} ${res.text}`);
      return { id: res.body.user.id, token: res.body.accessToken };
    }

    /** The official SDK client through the proxy; answers once its event stream (GET) went out too. */
    async function connectThroughProxy(token: string): Promise<Replica> {
      const from = proxy.log.length;
      const transport = new StreamableHTTPClientTransport(new URL(`${proxy.url}/mcp`), {
        requestInit: { headers: { authorization: `Bearer ${token}` } },
      });
      const client = new Client({ name: 'replica-test', version: '1.0.0' });
      clients.push(client);
      const logs: LoggingMessageNotification['params'][] = [];
      client.setNotificationHandler(LoggingMessageNotificationSchema, (n) => {
        logs.push(n.params);
      });
      await client.connect(transport);
      const sessionId = transport.sessionId as string;
      const requests = () =>
        proxy.log.slice(from).filter((r) => r.sessionId === sessionId || r.rpcMethod === 'initialize');
      await waitFor('the client to open its event stream', async () =>
        requests().some((r) => r.method === 'GET' && r.status === 200),
      );
      return { client, sessionId, logs, requests };
    }

    /** Pings until the proxy's next request goes to `upstream`. */
    async function landNextOn(c: Replica, upstream: number): Promise<void> {
      while (proxy.nextUpstream() !== upstream) await c.client.ping();
    }

    const call = (c: Replica, name: string, args: Record<string, unknown> = {}) =>
      c.client.callTool({ name, arguments: args }) as Promise<CallToolResult>;

    /** One request straight to an instance, not through the proxy. */
    function direct(
      server: ServerProcess,
      method: 'POST' | 'GET' | 'DELETE',
      token: string,
      sessionId: string,
    ) {
      const controller = new AbortController();
      return fetch(`${server.url}/mcp`, {
        method,
        signal: controller.signal,
        headers: {
          authorization: `Bearer ${token}`,
          accept: 'application/json, text/event-stream',
          'content-type': 'application/json',
          'mcp-session-id': sessionId,
          'mcp-protocol-version': '2025-11-25',
        },
        body:
          method === 'POST'
            ? JSON.stringify({
                jsonrpc: '2.0',
                id: 9,
                method: 'tools/call',
                params: { name: 'spaces.list', arguments: {} },
              })
            : undefined,
      }).then(async (res) => {
        const text = method === 'GET' && res.status === 200 ? '' : await res.text();
        controller.abort();
        return { status: res.status, text };
      });
    }

    it('should serve a session on both instances: initialize on one, tools/list and tools/call on the other', async () => {
      const user = await newUser();
      const c = await connectThroughProxy(user.token);
      const [init] = c.requests().filter((r) => r.rpcMethod === 'initialize');
      const other = 1 - init.upstream;

      await landNextOn(c, other);
      const { tools } = await c.client.listTools();
      await landNextOn(c, other);
      const spaces = dataOf(await call(c, 'spaces.list'));

      expect(tools.map((t) => t.name)).toEqual(expect.arrayContaining(['spaces.list', 'todo.create']));
      expect(spaces.items).toHaveLength(1);
      const served = c.requests();
      expect(served.filter((r) => r.rpcMethod === 'tools/list').map((r) => r.upstream)).toEqual([other]);
      expect(served.filter((r) => r.rpcMethod === 'tools/call').map((r) => r.upstream)).toEqual([other]);
      // no 404 and no second initialize: one session, one row
      expect(served.filter((r) => r.rpcMethod === 'initialize')).toHaveLength(1);
      expect(served.map((r) => r.status)).not.toContain(404);
      const rows = await db.query(`SELECT id, closed_at FROM mcp_sessions WHERE user_id = $1`, [user.id]);
      expect(rows).toEqual([{ id: c.sessionId, closed_at: null }]);
    });

    it("should answer 403 to another user's token on the session on either instance and leave it working", async () => {
      const owner = await newUser();
      const intruder = await newUser();
      const c = await connectThroughProxy(owner.token);

      for (const server of servers) {
        for (const method of ['POST', 'GET', 'DELETE'] as const) {
          const res = await direct(server, method, intruder.token, c.sessionId);
          expect({ server: server.url, method, status: res.status }).toEqual({
            server: server.url,
            method,
            status: 403,
          });
          expect(res.text).toMatch(/belongs to another user/);
        }
      }

      for (const upstream of [0, 1]) {
        await landNextOn(c, upstream);
        expect(dataOf(await call(c, 'spaces.list')).items).toHaveLength(1);
      }
      const rows = await db.query(`SELECT closed_at FROM mcp_sessions WHERE id = $1`, [c.sessionId]);
      expect(rows).toEqual([{ closed_at: null }]);
    });

    it('should resume an answer cut mid-stream on the other instance, before the answer exists, from the event store', async () => {
      const user = await newUser();
      const c = await connectThroughProxy(user.token);
      const from = proxy.log.length;

      proxy.cutNextStreamAfterFirstEvent();
      const result = await call(c, 'todo.list');

      expect(dataOf(result).items).toEqual([]);
      const after = proxy.log.slice(from);
      const post = after.find((r) => r.rpcMethod === 'tools/call') as ProxiedRequest;
      const resume = after.find((r) => r.method === 'GET' && r.lastEventId !== undefined) as ProxiedRequest;
      expect(post.cut).toBe(true);
      expect(resume).toMatchObject({ status: 200, sessionId: c.sessionId });
      expect(resume.upstream).not.toBe(post.upstream);
      // the client came back while the tool was still running on the first instance
      expect(resume.startedAt - post.startedAt).toBeLessThan(SLOW_MS);
      // and the answer it got is the one stored for that stream (its priming event, the stream's
      // start, is never stored)
      const [streamId, seq] = (resume.lastEventId as string).split('.');
      expect(seq).toBe('0');
      const kinds = await db.query(
        `SELECT kind FROM mcp_events WHERE session_id = $1 AND stream_id = $2 ORDER BY id`,
        [c.sessionId, streamId],
      );
      expect(kinds.map((k: { kind: string }) => k.kind)).toEqual(['response']);
    });

    it('should keep the logging level set on one instance on the other', async () => {
      const user = await newUser();
      const c = await connectThroughProxy(user.token);
      // an instance reuses its read of a session row it holds for ROW_RECHECK_MS: a change made on
      // the other instance applies there once that has passed (the documented bound)
      const propagated = () => new Promise((resolve) => setTimeout(resolve, ROW_RECHECK_MS + 100));

      // the default threshold (warning): a successful call logs nothing
      await call(c, 'spaces.list');
      expect(c.logs).toEqual([]);

      await landNextOn(c, 0);
      await c.client.setLoggingLevel('info');
      await propagated();
      await landNextOn(c, 1);
      await call(c, 'spaces.list');
      expect(c.logs).toEqual([
        {
          level: 'info',
          logger: 'mana.tools',
          data: expect.objectContaining({ tool: 'spaces.list', outcome: 'ok' }),
        },
      ]);

      await landNextOn(c, 1);
      await c.client.setLoggingLevel('error');
      await propagated();
      await landNextOn(c, 0);
      const refused = await call(c, 'todo.create', {});
      expect(refused.isError).toBe(true);
      // a refused call logs at warning: below the threshold set on the other instance
      expect(c.logs).toHaveLength(1);
      const rows = await db.query(`SELECT logging_level FROM mcp_sessions WHERE id = $1`, [c.sessionId]);
      expect(rows).toEqual([{ logging_level: 'error' }]);

      await landNextOn(c, 1);
      await c.client.setLoggingLevel('warning');
      await propagated();
      await landNextOn(c, 0);
      await call(c, 'todo.create', {});
      expect(c.logs[1]).toEqual({
        level: 'warning',
        logger: 'mana.tools',
        data: expect.objectContaining({ tool: 'todo.create', outcome: 'invalid_input' }),
      });
    });

    it('should close a session DELETEd on one instance on the other within a second (ROW_RECHECK_MS)', async () => {
      const user = await newUser();
      const c = await connectThroughProxy(user.token);
      for (const upstream of [0, 1]) {
        await landNextOn(c, upstream);
        await call(c, 'spaces.list'); // both instances hold the session now
      }

      const deleted = await direct(servers[0], 'DELETE', user.token, c.sessionId);
      expect(deleted.status).toBe(200);
      const at = Date.now();
      await waitFor(
        'the other instance to refuse the deleted session',
        async () => (await direct(servers[1], 'POST', user.token, c.sessionId)).status === 404,
        5000,
      );
      expect(Date.now() - at).toBeLessThanOrEqual(ROW_RECHECK_MS + 500);

      for (const method of ['POST', 'GET', 'DELETE'] as const) {
        const res = await direct(servers[1], method, user.token, c.sessionId);
        expect({ method, status: res.status }).toEqual({ method, status: 404 });
      }
      const rows = await db.query(`SELECT closed_reason FROM mcp_sessions WHERE id = $1`, [c.sessionId]);
      expect(rows).toEqual([{ closed_reason: 'deleted' }]);
    });

    it('should answer 400 naming the problem to a Last-Event-ID this server never wrote', async () => {
      const user = await newUser();
      const init = await http(servers[0].url, 'POST', '/mcp', {
        token: user.token,
        body: initializeMessage(),
        headers: { accept: 'application/json, text/event-stream' },
      });
      const sessionId = init.headers.get('mcp-session-id') as string;
      const resume = (lastEventId: string) =>
        http(servers[1].url, 'GET', '/mcp', {
          token: user.token,
          headers: { accept: 'text/event-stream', 'mcp-session-id': sessionId, 'last-event-id': lastEventId },
        });

      const malformed = await resume('not-an-event-id');
      expect(malformed.status).toBe(400);
      expect(malformed.body.message).toMatch(/Last-Event-ID is not an event id of this server/);
      const unknown = await resume('0b6f4a0e-5d1e-4c36-9a55-2f1f6b0e6a51.1');
      expect(unknown.status).toBe(400);
      expect(unknown.body.message).toMatch(/names no stored event of this session/);
    });
  },
);
