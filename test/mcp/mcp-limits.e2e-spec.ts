import { bootTestApp } from '../support/test-app.js';
import type { TestApp } from '../support/test-app.js';
import { registerUser } from '../support/factories.js';
import { McpSessionManager } from '../../src/tools/mcp/mcp-session.manager.js';
import { closeAllMcpClients, connectMcp, dataOf, rawMcp, textOf } from './mcp-client.js';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const listCall = { jsonrpc: '2.0', id: 1, method: 'tools/list', params: {} };

describe('McpSessionManager limits', () => {
  let t: TestApp;

  beforeAll(async () => {
    // no short idle limit here: on a loaded machine a session could expire between two of a test's
    // requests (the idle expiry has its own app below)
    t = await bootTestApp({ MCP_MAX_SESSIONS_PER_USER: '2', TOOL_RATE_LIMIT: '3' });
  });
  afterAll(async () => {
    await closeAllMcpClients();
    await t.close();
  });

  it("should close the user's least recently used session when the cap is reached", async () => {
    const user = await registerUser(t);
    const other = await registerUser(t);
    const othersSession = await connectMcp(t, { token: other.accessToken });
    const first = await connectMcp(t, { token: user.accessToken });
    const second = await connectMcp(t, { token: user.accessToken });
    await rawMcp(t, 'POST', { token: user.accessToken, sessionId: first.sessionId, body: listCall });
    // `second` is now the least recently used of the two
    const third = await connectMcp(t, { token: user.accessToken });

    const status = async (token: string, sessionId: string) =>
      (await rawMcp(t, 'POST', { token, sessionId, body: listCall })).status;
    expect(await status(user.accessToken, second.sessionId)).toBe(404);
    expect(await status(user.accessToken, first.sessionId)).toBe(200);
    expect(await status(user.accessToken, third.sessionId)).toBe(200);
    expect(await status(other.accessToken, othersSession.sessionId)).toBe(200);
    await Promise.all([first.close(), second.close(), third.close(), othersSession.close()]);
  });

  it('should refuse the call over the per-user per-tool rate limit with a tool error naming the limit', async () => {
    const user = await registerUser(t);
    const other = await registerUser(t);
    const c = await connectMcp(t, { token: user.accessToken });
    for (let i = 0; i < 3; i++) expect((await c.call('habits.list')).isError).toBeFalsy();
    const limited = await c.call('habits.list');
    expect(limited.isError).toBe(true);
    expect(textOf(limited)).toMatch(
      /Rate limit reached: at most 3 calls of habits\.list per minute per user/,
    );
    expect(limited._meta?.['mana/error']).toEqual({ kind: 'rate_limited', code: 'RATE_LIMITED' });

    // another tool of the same user, and the same tool of another user, are not affected
    expect((await c.call('spaces.list')).isError).toBeFalsy();
    const o = await connectMcp(t, { token: other.accessToken });
    expect(dataOf(await o.call('habits.list')).items).toEqual([]);
    await Promise.all([c.close(), o.close()]);
  });
});

// its own app, which the test shuts down (so it holds whatever order the tests run in)
describe('McpSessionManager at shutdown', () => {
  it('should close every session when the app shuts down', async () => {
    const t = await bootTestApp();
    const user = await registerUser(t);
    const c = await connectMcp(t, { token: user.accessToken });
    // the SDK client holds a GET event stream open: shutdown must end it, or close would hang
    const sessions = t.app.get(McpSessionManager);
    expect(sessions.size).toBeGreaterThan(0);
    await t.close();
    expect(sessions.size).toBe(0);
    await c.close();
  });
});

// its own app with a short idle limit, booted once the app above is closed
describe('McpSessionManager idle expiry (MCP_SESSION_IDLE_MS=1500)', () => {
  let idleApp: TestApp;
  beforeAll(async () => {
    idleApp = await bootTestApp({ MCP_SESSION_IDLE_MS: '1500' });
  });
  afterAll(() => idleApp.close());

  it('should expire an idle session and keep a busy one', async () => {
    const user = await registerUser(idleApp);
    const idle = await connectMcp(idleApp, { token: user.accessToken });
    const busy = await connectMcp(idleApp, { token: user.accessToken });
    for (let i = 0; i < 6; i++) {
      await sleep(500);
      const ping = await rawMcp(idleApp, 'POST', {
        token: user.accessToken,
        sessionId: busy.sessionId,
        body: listCall,
      });
      expect(ping.status).toBe(200);
    }
    const expired = await rawMcp(idleApp, 'POST', {
      token: user.accessToken,
      sessionId: idle.sessionId,
      body: listCall,
    });
    expect(expired.status).toBe(404);
    await Promise.all([idle.close(), busy.close()]);
  });
});
