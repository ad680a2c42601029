import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { UnauthorizedError, auth } from '@modelcontextprotocol/sdk/client/auth.js';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { bootTestApp } from '../support/test-app.js';
import type { TestApp } from '../support/test-app.js';
import { http } from '../support/http.js';
import { registerUser } from '../support/factories.js';
import type { TestUser } from '../support/factories.js';
import { createPersona } from '../support/personas.js';
import { authorizeThroughPages, codeRequestUrl } from '../support/pkce.js';
import { JwtKeysService } from '../../src/auth/tokens/jwt-keys.service.js';
import { toAuthUser, UsersService } from '../../src/auth/users/users.service.js';
import { closeAllMcpClients, connectMcp, dataOf, initializeMessage, rawMcp } from '../mcp/mcp-client.js';
import {
  LoopbackRedirect,
  PageSigningProvider,
  REGISTERED_REDIRECT,
  authorizeUrl,
  pkce,
  registerClient,
  tokenRequest,
} from './oauth-browser.js';

describe('OAuth for MCP clients (authorization server and /mcp resource)', () => {
  let t: TestApp;
  let alice: TestUser;
  let redirect: LoopbackRedirect;
  let resource: string;

  beforeAll(async () => {
    t = await bootTestApp();
    alice = await registerUser(t);
    redirect = await LoopbackRedirect.start();
    resource = `${t.url}/mcp`;
  });

  afterAll(async () => {
    await closeAllMcpClients();
    await redirect.close();
    await t.close();
  });

  const countAuthorizations = async (clientId: string): Promise<number> =>
    (
      await t.dataSource.query(`SELECT count(*)::int AS n FROM oauth_authorizations WHERE client_id = $1`, [
        clientId,
      ])
    )[0].n;

  const countRefreshTokens = async (clientId: string): Promise<number> =>
    (
      await t.dataSource.query(`SELECT count(*)::int AS n FROM refresh_tokens WHERE client_id = $1`, [
        clientId,
      ])
    )[0].n;

  /** One code for alice through the real pages, with our own PKCE pair. */
  async function codeFor(clientId: string) {
    const { visit, verifier } = await authorizeThroughPages(t, clientId, alice, redirect, {
      extra: { state: 'st-1', resource },
    });
    const code = visit.callback?.searchParams.get('code');
    if (!code) throw new Error(`no code: ${visit.signInStatus}`);
    return { code, verifier };
  }

  const exchange = (clientId: string, code: string, verifier: string) =>
    tokenRequest(t, {
      grant_type: 'authorization_code',
      client_id: clientId,
      code,
      code_verifier: verifier,
      redirect_uri: redirect.url,
      resource,
    });

  it('should publish protected resource metadata (RFC 9728) naming this server, and RFC 8414 metadata', async () => {
    for (const path of [
      '/.well-known/oauth-protected-resource',
      '/.well-known/oauth-protected-resource/mcp',
    ]) {
      const prm = await http(t.url, 'GET', path);
      expect(prm.status).toBe(200);
      expect(prm.body.resource).toBe(resource);
      expect(prm.body.authorization_servers).toEqual([`${t.url}/`]);
    }
    const as = await http(t.url, 'GET', '/.well-known/oauth-authorization-server');
    expect(as.status).toBe(200);
    expect(as.body).toMatchObject({
      issuer: `${t.url}/`,
      authorization_endpoint: `${t.url}/authorize`,
      token_endpoint: `${t.url}/token`,
      registration_endpoint: `${t.url}/register`,
      revocation_endpoint: `${t.url}/revoke`,
      code_challenge_methods_supported: ['S256'],
      response_types_supported: ['code'],
    });
  });

  it('should answer 401 from /mcp with WWW-Authenticate naming the resource metadata', async () => {
    const res = await rawMcp(t, 'POST', { body: initializeMessage() });
    expect(res.status).toBe(401);
    expect(res.headers.get('www-authenticate')).toBe(
      `Bearer resource_metadata="${t.url}/.well-known/oauth-protected-resource/mcp", scope="mcp"`,
    );
    const bad = await rawMcp(t, 'POST', { token: 'not-a-token', body: initializeMessage() });
    expect(bad.status).toBe(401);
    expect(bad.headers.get('www-authenticate')).toMatch(
      /resource_metadata="[^"]+", scope="mcp", error="invalid_token"/,
    );
  });

  it('should complete the MCP SDK client flow: discovery from the 401, registration, PKCE, code, tools, refresh', async () => {
    const provider = new PageSigningProvider(t, alice, redirect);
    const url = new URL(resource);
    const first = new StreamableHTTPClientTransport(url, { authProvider: provider });
    await expect(new Client({ name: 'oauth-test', version: '1.0.0' }).connect(first)).rejects.toThrow(
      UnauthorizedError,
    );
    expect(provider.clientInformation()?.client_id).toBeDefined();
    // registered without a port, used on the loopback listener's port (RFC 8252 §7.3)
    expect((provider.clientInformation() as { redirect_uris?: string[] }).redirect_uris).toEqual([
      REGISTERED_REDIRECT,
    ]);
    expect(new URL(redirect.url).port).not.toBe('');
    expect(provider.code).toBeDefined();
    await first.finishAuth(provider.code as string);
    const tokens = provider.tokens();
    expect(tokens?.access_token).toBeDefined();
    expect(tokens?.refresh_token).toBeDefined();

    const client = new Client({ name: 'oauth-test', version: '1.0.0' });
    await client.connect(new StreamableHTTPClientTransport(url, { authProvider: provider }));
    const { tools } = await client.listTools();
    expect(tools.map((tool) => tool.name)).toContain('spaces.list');
    const spaces = dataOf((await client.callTool({ name: 'spaces.list', arguments: {} })) as CallToolResult);
    expect(spaces.activeSpaceId).toBeDefined();
    await client.close();

    // refresh through the SDK: a new pair, and the new access token works on /mcp
    expect(await auth(provider, { serverUrl: url })).toBe('AUTHORIZED');
    const refreshed = provider.tokens();
    expect(refreshed?.access_token).not.toBe(tokens?.access_token);
    expect(refreshed?.refresh_token).not.toBe(tokens?.refresh_token);
    const again = await connectMcp(t, { token: refreshed?.access_token as string });
    expect(dataOf(await again.call('spaces.list')).activeSpaceId).toBe(spaces.activeSpaceId);
    await again.close();

    // the OAuth token is for /mcp only: the REST API refuses it (RFC 8707 audience)
    const rest = await http(t.url, 'GET', '/api/v1/auth/me', { token: refreshed?.access_token });
    expect(rest.status).toBe(401);
    expect(rest.body.message).toBe('Access token was issued for another audience');
  });

  it('should keep password-login tokens working on /mcp (their audience is this server, JWT_AUDIENCE)', async () => {
    const c = await connectMcp(t, { token: alice.accessToken });
    expect(dataOf(await c.call('spaces.list')).activeSpaceId).toBeDefined();
    await c.close();
  });

  it('should refuse a token minted for another audience on /mcp with 401', async () => {
    const user = await t.app.get(UsersService).findById(alice.id);
    const { token } = await t.app
      .get(JwtKeysService)
      .signAccessToken(toAuthUser(user!), { audience: 'https://other.example/mcp' });
    const res = await rawMcp(t, 'POST', { token, body: initializeMessage() });
    expect(res.status).toBe(401);
    expect(res.json.message).toBe('Access token was issued for another audience');
    expect(res.headers.get('www-authenticate')).toContain('resource_metadata=');
  });

  it('should refuse a wrong redirect URI before any page, and issue nothing', async () => {
    const { client_id } = await registerClient(t);
    const { challenge } = pkce();
    for (const redirectUri of ['https://evil.example/callback', 'http://127.0.0.1:9/other-path']) {
      const res = await fetch(codeRequestUrl(t, client_id, redirectUri, challenge), { redirect: 'manual' });
      expect(res.status).toBe(400);
      expect(((await res.json()) as { error: string }).error).toBe('invalid_request');
    }
    expect(await countAuthorizations(client_id)).toBe(0);
  });

  it('should refuse registering a plain-http redirect URI that is not loopback', async () => {
    const res = await http(t.url, 'POST', '/register', {
      body: {
        client_name: 'x',
        redirect_uris: ['http://evil.example/cb'],
        token_endpoint_auth_method: 'none',
      },
    });
    expect(res.status).toBe(400);
    expect(res.body.error).toBe('invalid_client_metadata');
  });

  it('should refuse a missing or plain PKCE challenge, and issue nothing', async () => {
    const { client_id } = await registerClient(t);
    const cases: Array<Record<string, string | undefined>> = [
      { code_challenge: undefined, code_challenge_method: undefined },
      { code_challenge: 'abc', code_challenge_method: 'plain' },
      { code_challenge: 'abc', code_challenge_method: undefined },
    ];
    for (const pkceParams of cases) {
      const res = await fetch(
        authorizeUrl(t, { response_type: 'code', client_id, redirect_uri: redirect.url, ...pkceParams }),
        { redirect: 'manual' },
      );
      expect(res.status).toBe(302);
      const location = new URL(res.headers.get('location') as string);
      expect(location.searchParams.get('error')).toBe('invalid_request');
      expect(location.searchParams.get('code')).toBeNull();
    }
    expect(await countAuthorizations(client_id)).toBe(0);
  });

  it('should refuse a reused code, and revoke what its first exchange issued', async () => {
    const { client_id } = await registerClient(t);
    const { code, verifier } = await codeFor(client_id);
    const first = await exchange(client_id, code, verifier);
    expect(first.status).toBe(200);
    const second = await exchange(client_id, code, verifier);
    expect(second.status).toBe(400);
    expect(second.body.error).toBe('invalid_grant');
    expect(second.body.access_token).toBeUndefined();
    const refresh = await tokenRequest(t, {
      grant_type: 'refresh_token',
      client_id,
      refresh_token: first.body.refresh_token,
    });
    expect(refresh.status).toBe(400);
    expect(await countRefreshTokens(client_id)).toBe(1);
  });

  it('should refuse an expired code (codes live a minute), and issue nothing', async () => {
    const { client_id } = await registerClient(t);
    const { code, verifier } = await codeFor(client_id);
    const [{ seconds }] = await t.dataSource.query(
      `SELECT extract(epoch FROM expires_at - now())::int AS seconds FROM oauth_authorizations WHERE client_id = $1`,
      [client_id],
    );
    expect(seconds).toBeGreaterThan(30);
    expect(seconds).toBeLessThanOrEqual(120);
    await t.dataSource.query(
      `UPDATE oauth_authorizations SET expires_at = now() - interval '1 second' WHERE client_id = $1`,
      [client_id],
    );
    const res = await exchange(client_id, code, verifier);
    expect(res.status).toBe(400);
    expect(res.body.error).toBe('invalid_grant');
    expect(await countRefreshTokens(client_id)).toBe(0);
  });

  it('should refuse a code exchanged by another client, and issue nothing', async () => {
    const a = await registerClient(t);
    const b = await registerClient(t);
    const { code, verifier } = await codeFor(a.client_id);
    const res = await exchange(b.client_id, code, verifier);
    expect(res.status).toBe(400);
    expect(res.body.error).toBe('invalid_grant');
    expect(await countRefreshTokens(a.client_id)).toBe(0);
    expect(await countRefreshTokens(b.client_id)).toBe(0);
  });

  it('should refuse a wrong code_verifier', async () => {
    const { client_id } = await registerClient(t);
    const { code } = await codeFor(client_id);
    const res = await exchange(client_id, code, pkce().verifier);
    expect(res.status).toBe(400);
    expect(res.body.error).toBe('invalid_grant');
  });

  it('should rotate refresh tokens and revoke the family when one is used twice', async () => {
    const { client_id } = await registerClient(t);
    const { code, verifier } = await codeFor(client_id);
    const issued = await exchange(client_id, code, verifier);
    const r1 = issued.body.refresh_token;
    const rotated = await tokenRequest(t, { grant_type: 'refresh_token', client_id, refresh_token: r1 });
    expect(rotated.status).toBe(200);
    const r2 = rotated.body.refresh_token;
    expect(r2).not.toBe(r1);
    const reused = await tokenRequest(t, { grant_type: 'refresh_token', client_id, refresh_token: r1 });
    expect(reused.status).toBe(400);
    expect(reused.body.error).toBe('invalid_grant');
    expect(reused.body.access_token).toBeUndefined();
    // the second use revoked the family: the live successor is dead too
    const successor = await tokenRequest(t, { grant_type: 'refresh_token', client_id, refresh_token: r2 });
    expect(successor.status).toBe(400);
    const [{ live }] = await t.dataSource.query(
      `SELECT count(*)::int AS live FROM refresh_tokens WHERE client_id = $1 AND revoked_at IS NULL`,
      [client_id],
    );
    expect(live).toBe(0);
  });

  it('should revoke a refresh token (RFC 7009)', async () => {
    const { client_id } = await registerClient(t);
    const { code, verifier } = await codeFor(client_id);
    const issued = await exchange(client_id, code, verifier);
    const revoke = await fetch(`${t.url}/revoke`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ client_id, token: issued.body.refresh_token }).toString(),
    });
    expect(revoke.status).toBe(200);
    const refresh = await tokenRequest(t, {
      grant_type: 'refresh_token',
      client_id,
      refresh_token: issued.body.refresh_token,
    });
    expect(refresh.status).toBe(400);
  });

  it('should not let a persona account authorize a client', async () => {
    const { client_id } = await registerClient(t);
    const persona = await createPersona(t);
    const before = redirect.hits.length;
    const { visit } = await authorizeThroughPages(t, client_id, persona, redirect);
    expect(visit.signInStatus).toBe(403);
    expect(visit.signInHtml).toContain('cannot authorize apps');
    expect(redirect.hits.length).toBe(before);
    const rows = await t.dataSource.query(
      `SELECT user_id, code_hash FROM oauth_authorizations WHERE client_id = $1`,
      [client_id],
    );
    expect(rows).toEqual([{ user_id: null, code_hash: null }]);
  });

  it('should not let a disabled account authorize a client', async () => {
    const { client_id } = await registerClient(t);
    const bob = await registerUser(t);
    await t.app.get(UsersService).disable(bob.id);
    const { visit } = await authorizeThroughPages(t, client_id, bob, redirect);
    expect(visit.signInStatus).toBe(401);
    expect(visit.signInHtml).toContain('This account is disabled');
  });

  it('should refuse the sign-in form without the browser cookie or with a wrong CSRF token', async () => {
    const { client_id } = await registerClient(t);
    const page = await fetch(codeRequestUrl(t, client_id, redirect.url, pkce().challenge));
    const html = await page.text();
    const cookie = page.headers.getSetCookie()[0].split(';')[0];
    expect(page.headers.getSetCookie()[0]).toMatch(/HttpOnly/i);
    const request = /name="request" value="([^"]+)"/.exec(html)?.[1] as string;
    const csrf = /name="csrf" value="([^"]+)"/.exec(html)?.[1] as string;
    const post = (headers: Record<string, string>, token: string) =>
      fetch(`${t.url}/oauth/sign-in`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers },
        body: new URLSearchParams({
          request,
          csrf: token,
          email: alice.email,
          password: alice.password,
        }).toString(),
      });
    expect((await post({}, csrf)).status).toBe(400);
    expect((await post({ cookie }, 'wrong-token')).status).toBe(400);
    expect((await post({ cookie }, csrf)).status).toBe(200);
  });

  it('should send a denied consent back with access_denied and no code', async () => {
    const { client_id } = await registerClient(t);
    const { visit } = await authorizeThroughPages(t, client_id, alice, redirect, {
      extra: { state: 'xyz' },
      decision: 'deny',
    });
    expect(visit.callback?.searchParams.get('error')).toBe('access_denied');
    expect(visit.callback?.searchParams.get('state')).toBe('xyz');
    expect(visit.callback?.searchParams.get('code')).toBeNull();
  });
});

describe('OAuth sign-in page rate limits', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await bootTestApp({ AUTH_RATE_LIMIT_PER_EMAIL: '2' });
  });

  afterAll(() => t.close());

  it('should throttle the sign-in form per email like login (429 with Retry-After)', async () => {
    const { client_id } = await registerClient(t);
    const page = await fetch(
      codeRequestUrl(t, client_id, 'http://127.0.0.1:5555/callback', pkce().challenge),
    );
    const html = await page.text();
    const cookie = page.headers.getSetCookie()[0].split(';')[0];
    const request = /name="request" value="([^"]+)"/.exec(html)?.[1] as string;
    const csrf = /name="csrf" value="([^"]+)"/.exec(html)?.[1] as string;
    const attempt = () =>
      fetch(`${t.url}/oauth/sign-in`, {
        method: 'POST',
        headers: { cookie, 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({
          request,
          csrf,
          email: 'victim@example.com',
          password: 'wrong-guess',
        }).toString(),
      });
    expect((await attempt()).status).toBe(401);
    expect((await attempt()).status).toBe(401);
    const third = await attempt();
    expect(third.status).toBe(429);
    expect(third.headers.get('retry-after')).toBeTruthy();
  });
});
