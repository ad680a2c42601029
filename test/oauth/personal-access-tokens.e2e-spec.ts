import { PinoLogger } from 'nestjs-pino';
import pino from 'pino';
import { bootTestApp } from '../support/test-app.js';
import type { TestApp } from '../support/test-app.js';
import { http } from '../support/http.js';
import { registerUser } from '../support/factories.js';
import type { TestUser } from '../support/factories.js';
import { createPersona, loginPersona } from '../support/personas.js';
import { closeAllMcpClients, connectMcp, dataOf, initializeMessage, rawMcp } from '../mcp/mcp-client.js';
import { authorizeThroughPages } from '../support/pkce.js';
import { LoopbackRedirect, registerClient, tokenRequest } from './oauth-browser.js';

const TOKENS = '/api/v1/me/tokens';

/** Everything the app logs (every level, every request line) while the suite runs. */
function captureLogs(): string[] {
  const lines: string[] = [];
  const root = PinoLogger.root as unknown as Record<symbol, unknown>;
  root[pino.symbols.streamSym] = { write: (line: string) => void lines.push(line) };
  return lines;
}

describe('PersonalAccessTokenService (personal access tokens)', () => {
  let t: TestApp;
  let alice: TestUser;
  let bob: TestUser;
  let logs: string[];

  beforeAll(async () => {
    t = await bootTestApp({ LOG_LEVEL: 'trace', LOG_REQUESTS: 'true', LOG_FORMAT: 'json' });
    logs = captureLogs();
    alice = await registerUser(t);
    bob = await registerUser(t);
  });

  afterAll(async () => {
    await closeAllMcpClients();
    await t.close();
  });

  const create = (user: TestUser, body: unknown) =>
    http(t.url, 'POST', TOKENS, { token: user.accessToken, body });

  it('should answer the token once, list it without the token, and store only its hash', async () => {
    const res = await create(alice, { name: 'Claude Desktop', expiresInDays: 30 });
    expect(res.status).toBe(201);
    expect(res.body.token).toMatch(/^mana_pat_[A-Za-z0-9_-]{43}$/);
    const expires = new Date(res.body.expiresAt).getTime() - Date.now();
    expect(Math.round(expires / 86_400_000)).toBe(30);
    const list = await http(t.url, 'GET', TOKENS, { token: alice.accessToken });
    expect(list.status).toBe(200);
    const item = list.body.items.find((i: { id: string }) => i.id === res.body.id);
    expect(item).toEqual({
      id: res.body.id,
      name: 'Claude Desktop',
      createdAt: expect.any(String),
      expiresAt: res.body.expiresAt,
      lastUsedAt: null,
    });
    expect(list.text).not.toContain(res.body.token);
    const rows = await t.dataSource.query(`SELECT token_hash FROM personal_access_tokens WHERE id = $1`, [
      res.body.id,
    ]);
    expect(rows[0].token_hash).toMatch(/^[0-9a-f]{64}$/);
    expect(JSON.stringify(rows)).not.toContain(res.body.token);
  });

  it('should refuse an expiry past 365 days or a missing name', async () => {
    expect((await create(alice, { name: 'x', expiresInDays: 366 })).status).toBe(400);
    expect((await create(alice, { expiresInDays: 10 })).status).toBe(400);
    expect((await create(alice, { name: 'x', expiresInDays: 0 })).status).toBe(400);
  });

  it('should work on /mcp and the REST API, record its last use, and get 401 at once when revoked', async () => {
    const { body } = await create(alice, { name: 'inspector', expiresInDays: 7 });
    const c = await connectMcp(t, { token: body.token });
    expect(dataOf(await c.call('spaces.list')).activeSpaceId).toBeDefined();
    const me = await http(t.url, 'GET', '/api/v1/auth/me', { token: body.token });
    expect(me.status).toBe(200);
    expect(me.body.id).toBe(alice.id);
    const list = await http(t.url, 'GET', TOKENS, { token: alice.accessToken });
    expect(list.body.items.find((i: { id: string }) => i.id === body.id).lastUsedAt).not.toBeNull();

    const revoked = await http(t.url, 'DELETE', `${TOKENS}/${body.id}`, { token: alice.accessToken });
    expect(revoked.status).toBe(204);
    const after = await rawMcp(t, 'POST', { token: body.token, body: initializeMessage() });
    expect(after.status).toBe(401);
    expect(after.json.message).toBe('Personal access token is not valid: it is unknown, revoked or expired');
    expect(after.headers.get('www-authenticate')).toContain('resource_metadata=');
    // the open session is refused too: the token is checked on every request
    await expect(c.call('spaces.list')).rejects.toThrow();
    expect((await http(t.url, 'GET', '/api/v1/auth/me', { token: body.token })).status).toBe(401);
  });

  it('should get 401 once expired', async () => {
    const { body } = await create(alice, { name: 'short', expiresInDays: 1 });
    expect((await rawMcp(t, 'POST', { token: body.token, body: initializeMessage() })).status).toBe(200);
    await t.dataSource.query(
      `UPDATE personal_access_tokens SET created_at = now() - interval '2 days', expires_at = now() - interval '1 second' WHERE id = $1`,
      [body.id],
    );
    expect((await rawMcp(t, 'POST', { token: body.token, body: initializeMessage() })).status).toBe(401);
  });

  it('should not let another user revoke or see a token', async () => {
    const { body } = await create(alice, { name: 'mine', expiresInDays: 7 });
    const res = await http(t.url, 'DELETE', `${TOKENS}/${body.id}`, { token: bob.accessToken });
    expect(res.status).toBe(404);
    const list = await http(t.url, 'GET', TOKENS, { token: bob.accessToken });
    expect(list.body.items.map((i: { id: string }) => i.id)).not.toContain(body.id);
    expect((await rawMcp(t, 'POST', { token: body.token, body: initializeMessage() })).status).toBe(200);
  });

  it('should refuse personal access tokens for persona accounts', async () => {
    const persona = await loginPersona(t, await createPersona(t));
    const res = await create(persona, { name: 'nope', expiresInDays: 7 });
    expect(res.status).toBe(403);
  });

  it('should never write a token to the logs', async () => {
    const { body } = await create(alice, { name: 'logged?', expiresInDays: 7 });
    await rawMcp(t, 'POST', { token: body.token, body: initializeMessage() });
    await http(t.url, 'GET', '/api/v1/auth/me', { token: body.token });
    await http(t.url, 'DELETE', `${TOKENS}/${body.id}`, { token: alice.accessToken });
    await rawMcp(t, 'POST', { token: body.token, body: initializeMessage() });
    const secret = body.token.slice('mana_pat_'.length);
    expect(logs.length).toBeGreaterThan(5);
    expect(logs.some((line) => line.includes('/api/v1/me/tokens'))).toBe(true);
    expect(logs.filter((line) => line.includes(secret))).toEqual([]);
    expect(logs.filter((line) => line.includes(alice.accessToken))).toEqual([]);
  });

  it('should never write an OAuth code, access or refresh token, or the sign-in cookie to the logs', async () => {
    const redirect = await LoopbackRedirect.start();
    try {
      const { client_id } = await registerClient(t);
      const { visit, verifier } = await authorizeThroughPages(t, client_id, alice, redirect);
      const code = visit.callback?.searchParams.get('code') as string;
      expect(visit.callback?.hash).toBe('');
      const issued = await tokenRequest(t, {
        grant_type: 'authorization_code',
        client_id,
        code,
        code_verifier: verifier,
        redirect_uri: redirect.url,
      });
      expect(issued.status).toBe(200);
      await rawMcp(t, 'POST', { token: issued.body.access_token, body: initializeMessage() });
      const rotated = await tokenRequest(t, {
        grant_type: 'refresh_token',
        client_id,
        refresh_token: issued.body.refresh_token,
      });
      expect(rotated.status).toBe(200);
      expect(logs.some((line) => line.includes('/oauth/consent'))).toBe(true);
      for (const secret of [
        code,
        issued.body.access_token,
        issued.body.refresh_token,
        rotated.body.refresh_token,
        visit.cookie.split('=')[1],
        alice.password,
      ]) {
        expect(logs.filter((line) => line.includes(secret))).toEqual([]);
      }
    } finally {
      await redirect.close();
    }
  });
});
