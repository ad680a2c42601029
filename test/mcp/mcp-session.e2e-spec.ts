import { request as httpRequest } from 'node:http';
import { randomUUID } from 'node:crypto';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import {
  StreamableHTTPClientTransport,
  StreamableHTTPError,
} from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import {
  EmptyResultSchema,
  ErrorCode,
  LoggingMessageNotificationSchema,
  McpError,
} from '@modelcontextprotocol/sdk/types.js';
import type { CallToolResult, LoggingMessageNotification } from '@modelcontextprotocol/sdk/types.js';
import { bootTestApp } from '../support/test-app.js';
import type { TestApp } from '../support/test-app.js';
import { http } from '../support/http.js';
import { registerUser } from '../support/factories.js';
import type { TestUser } from '../support/factories.js';
import { ToolRegistry } from '../../src/tools/tool.registry.js';
import { UsersService } from '../../src/auth/users/users.service.js';
import { McpSessionManager } from '../../src/tools/mcp/mcp-session.manager.js';
import { startRoundRobinProxy } from '../support/round-robin-proxy.js';
import { waitFor } from '../support/wait-for.js';
import { closeAllMcpClients, connectMcp, dataOf, initializeMessage, rawMcp } from './mcp-client.js';

const toolsCall = (id: number, name: string, args: Record<string, unknown> = {}) => ({
  jsonrpc: '2.0',
  id,
  method: 'tools/call',
  params: { name, arguments: args },
});

/** Sends one HTTP request with an exact Host header (fetch does not let us set it). */
function rawWithHost(t: TestApp, host: string, token: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const body = JSON.stringify(initializeMessage());
    const req = httpRequest(
      {
        host: '127.0.0.1',
        port: t.port,
        path: '/mcp',
        method: 'POST',
        headers: {
          host,
          authorization: `Bearer ${token}`,
          accept: 'application/json, text/event-stream',
          'content-type': 'application/json',
          'content-length': Buffer.byteLength(body),
        },
      },
      (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (c: string) => (text += c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: text }));
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

describe('McpGateway sessions', () => {
  let t: TestApp;
  let alice: TestUser;
  let bob: TestUser;

  beforeAll(async () => {
    t = await bootTestApp();
    alice = await registerUser(t);
    bob = await registerUser(t);
  });
  afterAll(async () => {
    await closeAllMcpClients();
    await t.close();
  });

  describe('initialize and tools/list', () => {
    it('should initialize with the real SDK client and list exactly the user-space, non-destructive tools', async () => {
      const c = await connectMcp(t, { token: alice.accessToken });
      expect(c.client.getServerVersion()?.name).toBe('mana-personas');
      const listed = (await c.client.listTools()).tools.map((tool) => tool.name).sort();
      const all = t.app.get(ToolRegistry).list();
      const expected = all
        .filter((tool) => tool.options.scope === 'user-space' && tool.options.policy !== 'destructive')
        .map((tool) => tool.options.name)
        .sort();
      expect(listed).toEqual(expected);
      expect(listed).toEqual(
        expect.arrayContaining(['habits.create', 'spaces.list', 'todo.create', 'notes.search']),
      );
      for (const admin of all.filter((tool) => tool.options.scope === 'admin')) {
        expect(listed).not.toContain(admin.options.name);
      }
      await c.close();
    });

    it('should show real JSON Schemas with dotted tool names', async () => {
      const c = await connectMcp(t, { token: alice.accessToken });
      const { tools } = await c.client.listTools();
      const create = tools.find((tool) => tool.name === 'todo.create');
      expect(create?.inputSchema).toMatchObject({
        type: 'object',
        additionalProperties: false,
        required: ['title'],
        properties: { title: { type: 'string', maxLength: 200 } },
      });
      expect(create?.annotations).toMatchObject({ readOnlyHint: false, destructiveHint: false });
      await c.close();
    });

    it('should list destructive tools only in sessions opened after the opt-in', async () => {
      const user = await registerUser(t);
      const destructive = t.app
        .get(ToolRegistry)
        .list()
        .filter((tool) => tool.options.scope === 'user-space' && tool.options.policy === 'destructive')
        .map((tool) => tool.options.name)
        .sort();
      expect(destructive).toEqual(expect.arrayContaining(['habits.delete', 'notes.delete', 'todo.delete']));

      const before = await connectMcp(t, { token: user.accessToken });
      const settings = await http(t.url, 'GET', '/api/v1/me/settings', { token: user.accessToken });
      expect(settings.body).toEqual({ destructiveTools: false, updatedAt: null });
      const patch = await http(t.url, 'PATCH', '/api/v1/me/settings', {
        token: user.accessToken,
        body: { destructiveTools: true },
      });
      expect(patch.status).toBe(200);
      expect(patch.body.destructiveTools).toBe(true);

      const after = await connectMcp(t, { token: user.accessToken });
      const listedAfter = (await after.client.listTools()).tools.map((tool) => tool.name);
      const listedBefore = (await before.client.listTools()).tools.map((tool) => tool.name);
      expect(listedAfter).toEqual(expect.arrayContaining(destructive));
      expect(listedBefore.filter((name) => destructive.includes(name))).toEqual([]);
      await Promise.all([before.close(), after.close()]);
    });

    it('should refuse a bad settings body with a 400 naming the field', async () => {
      const res = await http(t.url, 'PATCH', '/api/v1/me/settings', {
        token: alice.accessToken,
        body: { destructiveTools: 'yes' },
      });
      expect(res.status).toBe(400);
      expect(res.body.message).toContain('destructiveTools');
    });
  });

  describe('authentication', () => {
    it('should answer 401 with WWW-Authenticate when the token is missing', async () => {
      const res = await rawMcp(t, 'POST', { body: initializeMessage() });
      expect(res.status).toBe(401);
      expect(res.headers.get('www-authenticate')).toMatch(/^Bearer /);
      expect(res.json.message).toMatch(/Missing bearer token/);
    });

    it('should answer 401 with WWW-Authenticate when the token is not valid', async () => {
      const res = await rawMcp(t, 'POST', { token: 'not.a.jwt', body: initializeMessage() });
      expect(res.status).toBe(401);
      expect(res.headers.get('www-authenticate')).toMatch(/^Bearer /);
      expect(res.json.message).toMatch(/malformed|not valid/);
    });

    it('should stop a disabled user at the next request of an open session', async () => {
      const user = await registerUser(t);
      const c = await connectMcp(t, { token: user.accessToken });
      await t.app.get(UsersService).disable(user.id);
      const res = await rawMcp(t, 'POST', {
        token: user.accessToken,
        sessionId: c.sessionId,
        body: toolsCall(7, 'spaces.list'),
      });
      expect(res.status).toBe(401);
      expect(res.json.message).toMatch(/disabled/);
    });

    it('should pick up a refreshed token on the next request of the same session', async () => {
      const user = await registerUser(t);
      const c = await connectMcp(t, { token: user.accessToken });
      const refreshed = await http(t.url, 'POST', '/api/v1/auth/refresh', {
        body: { refreshToken: user.refreshToken },
      });
      expect(refreshed.status).toBe(200);
      expect(refreshed.body.accessToken).not.toBe(user.accessToken);
      c.headers.token = refreshed.body.accessToken;
      const spaces = dataOf(await c.call('spaces.list'));
      expect(spaces.items).toHaveLength(1);
      c.headers.token = 'garbage';
      await expect(c.call('spaces.list')).rejects.toThrow(/401/);
    });
  });

  describe('the HTTP edge of /mcp', () => {
    /** One request with a body sent exactly as given. */
    const send = (method: string, body?: string, token?: string) =>
      fetch(`${t.url}/mcp`, {
        method,
        headers: {
          accept: 'application/json, text/event-stream',
          'content-type': 'application/json',
          ...(token ? { authorization: `Bearer ${token}` } : {}),
        },
        body,
      });

    it('should answer 405 naming the supported methods to any other method', async () => {
      for (const method of ['PUT', 'PATCH']) {
        const res = await send(method, '{}', alice.accessToken);
        expect(res.status).toBe(405);
        expect(res.headers.get('allow')).toBe('GET, POST, DELETE');
        const body = (await res.json()) as Record<string, unknown>;
        expect(body).toEqual({
          statusCode: 405,
          error: 'Method Not Allowed',
          message: expect.stringMatching(/not supported on \/mcp: use POST .* GET .* DELETE/),
          requestId: res.headers.get('x-request-id'),
        });
      }
    });

    it('should answer 400 to malformed JSON and 413 to a body over BODY_LIMIT, before authentication', async () => {
      const malformed = await send('POST', '{"jsonrpc": "2.0", ', alice.accessToken);
      expect(malformed.status).toBe(400);
      expect(await malformed.json()).toMatchObject({ message: 'Request body is not valid JSON' });
      const huge = await send('POST', JSON.stringify({ pad: 'x'.repeat(1_100_000) }));
      expect(huge.status).toBe(413);
      expect(await huge.json()).toMatchObject({ message: 'Request body is larger than the limit' });
    });

    it('should carry the request id and the security headers of every other route', async () => {
      const res = await send('POST', JSON.stringify(initializeMessage()), alice.accessToken);
      expect(res.status).toBe(200);
      expect(res.headers.get('x-request-id')).toMatch(/^[A-Za-z0-9._-]+$/);
      expect(res.headers.get('x-content-type-options')).toBe('nosniff');
      await res.body?.cancel();
      // the same helmet policy as a route Express serves
      const rest = await http(t.url, 'GET', '/health');
      for (const name of [
        'content-security-policy',
        'x-frame-options',
        'referrer-policy',
        'strict-transport-security',
      ]) {
        expect(res.headers.get(name)).toBeTruthy();
        expect(res.headers.get(name)).toBe(rest.headers.get(name));
      }
    });

    it('should count /mcp requests under the route "/mcp" and leave paths below it to the router (404)', async () => {
      const below = await http(t.url, 'POST', '/mcp/extra', { token: alice.accessToken, body: {} });
      expect(below.status).toBe(404);
      await rawMcp(t, 'POST', { body: initializeMessage() });
      const text = (await http(t.url, 'GET', '/metrics')).text;
      expect(text).toMatch(/http_requests_total\{method="POST",route="\/mcp",status="401"\} \d+/);
      expect(text).toMatch(/http_requests_total\{method="POST",route="\/mcp",status="200"\} \d+/);
      expect(text).not.toMatch(/route="\/mcp\/extra"/);
    });
  });

  describe('session ownership', () => {
    it("should answer 403 to another user's POST, GET and DELETE and leave the owner's session working", async () => {
      const owner = await connectMcp(t, { token: alice.accessToken });
      const before = dataOf(await owner.call('spaces.list'));

      const post = await rawMcp(t, 'POST', {
        token: bob.accessToken,
        sessionId: owner.sessionId,
        body: toolsCall(1, 'spaces.list'),
      });
      expect(post.status).toBe(403);
      expect(post.json.message).toMatch(/belongs to another user/);
      expect(post.text).not.toContain(before.activeSpaceId);

      const get = await rawMcp(t, 'GET', { token: bob.accessToken, sessionId: owner.sessionId });
      expect(get.status).toBe(403);

      const del = await rawMcp(t, 'DELETE', { token: bob.accessToken, sessionId: owner.sessionId });
      expect(del.status).toBe(403);

      const after = dataOf(await owner.call('spaces.list'));
      expect(after.activeSpaceId).toBe(before.activeSpaceId);
      await owner.close();
    });

    it('should answer 404 for an unknown session id and for a closed one', async () => {
      const unknown = await rawMcp(t, 'POST', {
        token: alice.accessToken,
        sessionId: randomUUID(),
        body: toolsCall(1, 'spaces.list'),
      });
      expect(unknown.status).toBe(404);
      expect(unknown.json.message).toMatch(/session not found/i);

      const c = await connectMcp(t, { token: alice.accessToken });
      const sessionId = c.sessionId;
      await c.transport.terminateSession();
      await c.close();
      for (const method of ['POST', 'GET', 'DELETE'] as const) {
        const closed = await rawMcp(t, method, {
          token: alice.accessToken,
          sessionId,
          body: method === 'POST' ? toolsCall(2, 'spaces.list') : undefined,
        });
        expect(closed.status).toBe(404);
      }
    });

    it('should answer 400 to a non-initialize request without a session id', async () => {
      const post = await rawMcp(t, 'POST', { token: alice.accessToken, body: toolsCall(1, 'spaces.list') });
      expect(post.status).toBe(400);
      expect(post.json.message).toMatch(/Mcp-Session-Id header is required/);
      const get = await rawMcp(t, 'GET', { token: alice.accessToken });
      expect(get.status).toBe(400);
      const del = await rawMcp(t, 'DELETE', { token: alice.accessToken });
      expect(del.status).toBe(400);
    });

    it('should open a GET event stream for the owner and close the session on DELETE', async () => {
      const init = await rawMcp(t, 'POST', { token: alice.accessToken, body: initializeMessage() });
      expect(init.status).toBe(200);
      const sessionId = init.headers.get('mcp-session-id') as string;
      expect(sessionId).toMatch(/^[0-9a-f-]{36}$/);
      const get = await rawMcp(t, 'GET', { token: alice.accessToken, sessionId });
      expect(get.status).toBe(200);
      expect(get.headers.get('content-type')).toContain('text/event-stream');
      const del = await rawMcp(t, 'DELETE', { token: alice.accessToken, sessionId });
      expect(del.status).toBe(200);
      expect(t.app.get(McpSessionManager).get(sessionId)).toBeUndefined();
    });
  });

  describe('sessions kept in the database', () => {
    const rowOf = async (id: string) =>
      (
        await t.dataSource.query(
          `SELECT user_id, logging_level, closed_reason FROM mcp_sessions WHERE id = $1`,
          [id],
        )
      )[0];

    it('should write a row at initialize and rebuild the session from it when this instance holds it no more', async () => {
      const c = await connectMcp(t, { token: alice.accessToken });
      expect(await rowOf(c.sessionId)).toEqual({
        user_id: alice.id,
        logging_level: null,
        closed_reason: null,
      });
      const sessions = t.app.get(McpSessionManager);

      // as after a restart: every local copy goes, the rows stay open
      await sessions.beforeApplicationShutdown();
      expect(sessions.get(c.sessionId)).toBeUndefined();

      const spaces = dataOf(await c.call('spaces.list'));
      expect(spaces.items).toHaveLength(1);
      expect(sessions.get(c.sessionId)).toBeDefined();
      expect(await rowOf(c.sessionId)).toMatchObject({ closed_reason: null });
      await c.close();
    });

    it('should declare logging, keep the level on the row, and refuse an unknown level as invalid params', async () => {
      const c = await connectMcp(t, { token: alice.accessToken });
      expect(c.client.getServerCapabilities()?.logging).toEqual({});
      const logs: LoggingMessageNotification['params'][] = [];
      c.client.setNotificationHandler(LoggingMessageNotificationSchema, (n) => {
        logs.push(n.params);
      });

      await c.client.setLoggingLevel('debug');
      expect(await rowOf(c.sessionId)).toMatchObject({ logging_level: 'debug' });
      await c.call('spaces.list');
      expect(logs).toEqual([
        {
          level: 'info',
          logger: 'mana.tools',
          data: expect.objectContaining({ tool: 'spaces.list', outcome: 'ok' }),
        },
      ]);

      const refused = await c.client
        .request({ method: 'logging/setLevel', params: { level: 'banana' as 'debug' } }, EmptyResultSchema)
        .catch((e: unknown) => e);
      expect(refused).toBeInstanceOf(McpError);
      expect((refused as McpError).code).toBe(ErrorCode.InvalidParams);
      expect((refused as McpError).message).toMatch(/level must be one of debug, info, notice, warning/);
      expect(await rowOf(c.sessionId)).toMatchObject({ logging_level: 'debug' });
      await c.close();
    });

    it('should resume an answer whose stream was cut with Last-Event-ID, from the event store', async () => {
      const proxy = await startRoundRobinProxy([t.url]);
      const transport = new StreamableHTTPClientTransport(new URL(`${proxy.url}/mcp`), {
        requestInit: { headers: { authorization: `Bearer ${alice.accessToken}` } },
      });
      const client = new Client({ name: 'resume-test', version: '1.0.0' });
      try {
        await client.connect(transport);
        proxy.cutNextStreamAfterFirstEvent();
        const result = (await client.callTool({ name: 'spaces.list', arguments: {} })) as CallToolResult;

        expect(dataOf(result).items).toHaveLength(1);
        const cut = proxy.log.find((r) => r.rpcMethod === 'tools/call');
        const resumed = proxy.log.find((r) => r.method === 'GET' && r.lastEventId !== undefined);
        expect(cut?.cut).toBe(true);
        expect(resumed).toMatchObject({ status: 200, sessionId: transport.sessionId });
      } finally {
        await client.close();
        await proxy.close();
      }
    });
  });

  describe('Origin and Host', () => {
    it('should answer 403 to a foreign Origin and accept the own origin and no Origin', async () => {
      const foreign = await rawMcp(t, 'POST', {
        token: alice.accessToken,
        body: initializeMessage(),
        headers: { origin: 'http://evil.example' },
      });
      expect(foreign.status).toBe(403);
      expect(foreign.json.message).toMatch(/Origin "http:\/\/evil.example" is not allowed/);

      const own = await rawMcp(t, 'POST', {
        token: alice.accessToken,
        body: initializeMessage(),
        headers: { origin: `http://127.0.0.1:${t.port}` },
      });
      expect(own.status).toBe(200);
      const none = await rawMcp(t, 'POST', { token: alice.accessToken, body: initializeMessage() });
      expect(none.status).toBe(200);
    });

    it('should answer 403 to a foreign Host (DNS rebinding) even with a valid token', async () => {
      const foreign = await rawWithHost(t, `evil.example:${t.port}`, alice.accessToken);
      expect(foreign.status).toBe(403);
      expect(JSON.parse(foreign.body).message).toMatch(/Host "evil.example:\d+" is not allowed/);
      const own = await rawWithHost(t, `localhost:${t.port}`, alice.accessToken);
      expect(own.status).toBe(200);
    });
  });

  describe('X-Mana-Space', () => {
    it('should act in the space named on each request, and in the personal space without the header', async () => {
      const team = await http(t.url, 'POST', '/api/v1/spaces', {
        token: alice.accessToken,
        body: { name: 'Team A', type: 'team' },
      });
      expect(team.status).toBe(201);
      const c = await connectMcp(t, { token: alice.accessToken });

      const personal = dataOf(await c.call('spaces.list'));
      expect(personal.items.find((s: any) => s.type === 'personal').id).toBe(personal.activeSpaceId);
      await c.call('todo.create', { title: 'personal task' });

      c.headers.space = team.body.id;
      const inTeam = dataOf(await c.call('spaces.list'));
      expect(inTeam.activeSpaceId).toBe(team.body.id);
      await c.call('todo.create', { title: 'team task' });
      const teamTasks = dataOf(await c.call('todo.list', {})).items.map((task: any) => task.title);
      expect(teamTasks).toEqual(['team task']);

      c.headers.space = undefined;
      const personalTasks = dataOf(await c.call('todo.list', {})).items.map((task: any) => task.title);
      expect(personalTasks).toEqual(['personal task']);
      await c.close();
    });

    it('should answer 403 to a space the user is not a member of, and never show its data', async () => {
      const team = await http(t.url, 'POST', '/api/v1/spaces', {
        token: alice.accessToken,
        body: { name: 'Secret team', type: 'team' },
      });
      const owner = await connectMcp(t, { token: alice.accessToken, space: team.body.id });
      await owner.call('todo.create', { title: 'secret plan' });

      const intruder = await connectMcp(t, { token: bob.accessToken });
      const raw = await rawMcp(t, 'POST', {
        token: bob.accessToken,
        sessionId: intruder.sessionId,
        body: toolsCall(3, 'todo.list'),
        headers: { 'x-mana-space': team.body.id },
      });
      expect(raw.status).toBe(403);
      expect(raw.json.message).toMatch(/not a member of space/);
      expect(raw.text).not.toContain('secret plan');

      intruder.headers.space = team.body.id;
      const error = await intruder.call('todo.list').catch((e: unknown) => e);
      expect(error).toBeInstanceOf(StreamableHTTPError);
      expect((error as StreamableHTTPError).code).toBe(403);

      const init = await rawMcp(t, 'POST', {
        token: bob.accessToken,
        body: initializeMessage(),
        headers: { 'x-mana-space': team.body.id },
      });
      expect(init.status).toBe(403);
      const malformed = await rawMcp(t, 'POST', {
        token: bob.accessToken,
        body: initializeMessage(),
        headers: { 'x-mana-space': 'not-a-uuid' },
      });
      expect(malformed.status).toBe(400);

      intruder.headers.space = undefined;
      const own = dataOf(await intruder.call('todo.list'));
      expect(own.items).toEqual([]);
      await Promise.all([owner.close(), intruder.close()]);
    });
  });
});

// its own app with a short idle limit: the sweep runs every quarter of it
describe('McpSessionManager sweep (MCP_SESSION_IDLE_MS=1500)', () => {
  let app: TestApp;
  beforeAll(async () => {
    app = await bootTestApp({ MCP_SESSION_IDLE_MS: '1500' });
  });
  afterAll(async () => {
    await closeAllMcpClients();
    await app.close();
  });

  const eventsOf = async (sessionId: string): Promise<number> =>
    (
      await app.dataSource.query(`SELECT count(*)::int AS n FROM mcp_events WHERE session_id = $1`, [
        sessionId,
      ])
    )[0].n;
  const closedReason = async (sessionId: string): Promise<string | null> =>
    (await app.dataSource.query(`SELECT closed_reason FROM mcp_sessions WHERE id = $1`, [sessionId]))[0]
      .closed_reason;

  it('should close an idle session row and delete the events of closed sessions', async () => {
    const user = await registerUser(app);
    const deleted = await connectMcp(app, { token: user.accessToken });
    const idle = await connectMcp(app, { token: user.accessToken });
    await deleted.call('spaces.list');
    await idle.call('spaces.list');
    expect(await eventsOf(deleted.sessionId)).toBeGreaterThan(0);
    expect(await eventsOf(idle.sessionId)).toBeGreaterThan(0);

    await deleted.transport.terminateSession();
    expect(await closedReason(deleted.sessionId)).toBe('deleted');
    await waitFor(
      'the events of the deleted session to go',
      async () => (await eventsOf(deleted.sessionId)) === 0,
    );

    await waitFor(
      'the idle session to be closed',
      async () => (await closedReason(idle.sessionId)) === 'idle',
    );
    await waitFor('the events of the idle session to go', async () => (await eventsOf(idle.sessionId)) === 0);
    expect(app.app.get(McpSessionManager).get(idle.sessionId)).toBeUndefined();
  });
});
