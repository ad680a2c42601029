import { bootTestApp, embeddedDb } from '../support/test-app.js';
import type { TestApp } from '../support/test-app.js';
import { READY_WITHIN_MS, startReplicas } from '../support/server-process.js';
import type { Replicas, ServerProcess, ThrowawayDatabase } from '../support/server-process.js';
import { http } from '../support/http.js';
import { registerUser } from '../support/factories.js';
import type { TestUser } from '../support/factories.js';
import { authorizeThroughPages } from '../support/pkce.js';
import { waitFor } from '../support/wait-for.js';
import { LoopbackRedirect, registerClient, tokenRequest } from '../oauth/oauth-browser.js';
import { initializeMessage, rawMcp } from '../mcp/mcp-client.js';

/** What every instance promises for a revocation made on any of them. */
const REVOKED_EVERYWHERE_WITHIN_MS = 5000;
const ME = '/api/v1/auth/me';

// The point is two processes on one database: the embedded database serves one process only (its
// data directory is locked). CI always sets DATABASE_URL.
const describeOnPostgres = embeddedDb() ? describe.skip : describe;

describeOnPostgres(
  'revocation across two server instances on one database (skipped on the embedded database)',
  () => {
    let replicas: Replicas | undefined;
    let db: ThrowawayDatabase;
    let a: ServerProcess;
    let b: ServerProcess;
    let redirect: LoopbackRedirect;

    beforeAll(async () => {
      redirect = await LoopbackRedirect.start();
      // both instances behind one address, as behind a load balancer: OAuth tokens are for its /mcp
      replicas = await startReplicas('mana_revoke', 2, (ports) => ({
        PUBLIC_URL: `http://127.0.0.1:${ports[0]}`,
      }));
      ({ db } = replicas);
      [a, b] = replicas.servers;
    }, 2 * READY_WITHIN_MS);

    afterAll(async () => {
      await replicas?.stop();
      await redirect?.close();
    });

    /** The page, token and MCP helpers take a TestApp and read only its `url`. */
    const at = (s: ServerProcess) => ({ url: s.url }) as TestApp;
    const me = (s: ServerProcess, token: string) => http(s.url, 'GET', ME, { token });
    const refresh = (s: ServerProcess, refreshToken: string) =>
      http(s.url, 'POST', '/api/v1/auth/refresh', { body: { refreshToken } });

    /** Polls `probe` until it answers 401 (no fixed sleep); answers how long that took and the last answer. */
    async function refusedWithin<T extends { status: number }>(
      what: string,
      since: number,
      probe: () => Promise<T>,
    ): Promise<{ ms: number; res: T }> {
      const res = await waitFor(
        what,
        async () => {
          const r = await probe();
          if (r.status !== 200 && r.status !== 401) throw new Error(`${what}: unexpected ${r.status}`);
          return r.status === 401 ? r : undefined;
        },
        REVOKED_EVERYWHERE_WITHIN_MS + 5000,
        50,
      );
      const ms = Date.now() - since;
      process.stdout.write(`${what}: ${ms} ms\n`);
      return { ms, res };
    }

    it('should end every session of the account on both instances after logout-all through A', async () => {
      const user = await registerUser(at(a));
      const otherSession = await http(b.url, 'POST', '/api/v1/auth/login', {
        body: { email: user.email, password: user.password },
      });
      expect(otherSession.status).toBe(200);
      // B has both tokens verified and cached, with the account and the sessions behind them
      expect((await me(b, user.accessToken)).status).toBe(200);
      expect((await me(b, otherSession.body.accessToken)).status).toBe(200);

      const out = await http(a.url, 'POST', '/api/v1/auth/logout-all', { token: user.accessToken });
      expect(out.status).toBe(204);
      const at0 = Date.now();
      // on the instance that did it: at once
      const onA = await me(a, user.accessToken);
      expect(onA.status).toBe(401);
      expect(onA.body.message).toMatch(/^Access token was revoked: /);

      const earlier = await refusedWithin('logout-all: earlier access token refused by B', at0, () =>
        me(b, user.accessToken),
      );
      expect(earlier.ms).toBeLessThanOrEqual(REVOKED_EVERYWHERE_WITHIN_MS);
      expect(earlier.res.body.message).toMatch(/^Access token was revoked: .*log in again$/);
      expect(earlier.res.headers.get('www-authenticate')).toMatch(/^Bearer /);
      const other = await refusedWithin('logout-all: the other session refused by B', at0, () =>
        me(b, otherSession.body.accessToken),
      );
      expect(other.ms).toBeLessThanOrEqual(REVOKED_EVERYWHERE_WITHIN_MS);

      for (const [server, token] of [
        [b, user.refreshToken],
        [a, otherSession.body.refreshToken as string],
      ] as const) {
        const refused = await refresh(server, token);
        expect(refused.status).toBe(401);
        expect(refused.body.message).toBe(
          'Refresh token was revoked when the account signed out of every session; log in again',
        );
      }

      // a login right after works, on both instances, at once (B may still hold the old account)
      for (const [loginAt, elsewhere] of [
        [a, b],
        [b, a],
      ] as const) {
        const fresh = await http(loginAt.url, 'POST', '/api/v1/auth/login', {
          body: { email: user.email, password: user.password },
        });
        expect(fresh.status).toBe(200);
        expect((await me(elsewhere, fresh.body.accessToken)).status).toBe(200);
        expect((await me(loginAt, fresh.body.accessToken)).status).toBe(200);
        expect((await refresh(elsewhere, fresh.body.refreshToken)).status).toBe(200);
      }
    });

    /** A grant for `person` through the real OAuth flow on A: registration, pages, PKCE, code exchange. */
    async function oauthGrant(person: TestUser) {
      const resource = `${a.url}/mcp`;
      const { client_id } = await registerClient(at(a));
      const { visit, verifier } = await authorizeThroughPages(at(a), client_id, person, redirect, {
        extra: { resource },
      });
      const code = visit.callback?.searchParams.get('code');
      if (!code) throw new Error(`no code: ${visit.signInStatus}`);
      const tokens = await tokenRequest(at(a), {
        grant_type: 'authorization_code',
        client_id,
        code,
        code_verifier: verifier,
        redirect_uri: redirect.url,
        resource,
      });
      expect(tokens.status).toBe(200);
      return {
        clientId: client_id,
        accessToken: tokens.body.access_token,
        refreshToken: tokens.body.refresh_token,
      };
    }

    /** Opens an MCP session on `s` with `token`; answers a ping on it (200 while the token is good). */
    async function mcpOn(s: ServerProcess, token: string) {
      const init = await rawMcp(at(s), 'POST', { token, body: initializeMessage() });
      expect(init.status).toBe(200);
      const sessionId = init.headers.get('mcp-session-id') as string;
      let id = 1;
      return () =>
        rawMcp(at(s), 'POST', { token, sessionId, body: { jsonrpc: '2.0', id: ++id, method: 'ping' } });
    }

    const revoke = (clientId: string, token: string) =>
      fetch(`${a.url}/revoke`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({ client_id: clientId, token }).toString(),
      });

    it('should refuse an OAuth grant’s access token on B within 5 s after its refresh token is revoked through A (RFC 7009)', async () => {
      const person = await registerUser(at(a));
      const grant = await oauthGrant(person);
      const ping = await mcpOn(b, grant.accessToken);
      expect((await ping()).status).toBe(200);

      expect((await revoke(grant.clientId, grant.refreshToken)).status).toBe(200);
      const at0 = Date.now();
      const refused = await refusedWithin('revoked grant: access token refused by B', at0, ping);
      expect(refused.ms).toBeLessThanOrEqual(REVOKED_EVERYWHERE_WITHIN_MS);
      expect(refused.res.json.message).toBe(
        'Access token was revoked: its session was signed out or its grant revoked; log in again',
      );
      expect(refused.res.headers.get('www-authenticate')).toContain('error="invalid_token"');
      const again = await tokenRequest(at(b), {
        grant_type: 'refresh_token',
        client_id: grant.clientId,
        refresh_token: grant.refreshToken,
      });
      expect(again.status).toBe(400);

      // the person's password session is another grant and keeps working
      expect((await me(b, person.accessToken)).status).toBe(200);
    });

    it('should revoke the grant when its access token is revoked (RFC 7009), on both instances', async () => {
      const person = await registerUser(at(a));
      const grant = await oauthGrant(person);
      const ping = await mcpOn(b, grant.accessToken);
      expect((await ping()).status).toBe(200);

      expect((await revoke(grant.clientId, grant.accessToken)).status).toBe(200);
      const at0 = Date.now();
      const refused = await refusedWithin('revoked access token: refused by B', at0, ping);
      expect(refused.ms).toBeLessThanOrEqual(REVOKED_EVERYWHERE_WITHIN_MS);
      const rotated = await tokenRequest(at(a), {
        grant_type: 'refresh_token',
        client_id: grant.clientId,
        refresh_token: grant.refreshToken,
      });
      expect(rotated.status).toBe(400);
    });

    it('should refuse a disabled account’s token on B within 5 s', async () => {
      const person = await registerUser(at(a));
      expect((await me(b, person.accessToken)).status).toBe(200);
      // no HTTP route disables an account; an operator does it in SQL, on the one database
      await db.query(`UPDATE users SET disabled_at = now() WHERE id = $1`, [person.id]);
      const at0 = Date.now();
      const refused = await refusedWithin('disabled account: token refused by B', at0, () =>
        me(b, person.accessToken),
      );
      expect(refused.ms).toBeLessThanOrEqual(REVOKED_EVERYWHERE_WITHIN_MS);
      expect(refused.res.body.message).toBe(
        'Access token belongs to an account that is disabled or no longer exists',
      );
    });

    it('should refuse a deleted personal access token on B at once', async () => {
      const person = await registerUser(at(a));
      const created = await http(a.url, 'POST', '/api/v1/me/tokens', {
        token: person.accessToken,
        body: { name: 'laptop', expiresInDays: 30 },
      });
      expect(created.status).toBe(201);
      expect((await me(b, created.body.token)).status).toBe(200);
      const deleted = await http(a.url, 'DELETE', `/api/v1/me/tokens/${created.body.id}`, {
        token: person.accessToken,
      });
      expect(deleted.status).toBe(204);
      const refused = await me(b, created.body.token);
      expect(refused.status).toBe(401);
      expect(refused.body.message).toBe(
        'Personal access token is not valid: it is unknown, revoked or expired',
      );
    });
  },
);

describe('logout-all and single sign-outs on one instance (also on the embedded database)', () => {
  let t: TestApp;
  let redirect: LoopbackRedirect;

  beforeAll(async () => {
    t = await bootTestApp();
    redirect = await LoopbackRedirect.start();
  });

  afterAll(async () => {
    await redirect.close();
    await t.close();
  });

  const me = (token: string) => http(t.url, 'GET', ME, { token });

  it('should answer 401 to logout-all without an access token', async () => {
    const res = await http(t.url, 'POST', '/api/v1/auth/logout-all');
    expect(res.status).toBe(401);
  });

  it('should refuse the access token of a session signed out with /logout at once', async () => {
    const user = await registerUser(t);
    const other = await http(t.url, 'POST', '/api/v1/auth/login', {
      body: { email: user.email, password: user.password },
    });
    expect((await me(user.accessToken)).status).toBe(200);
    const out = await http(t.url, 'POST', '/api/v1/auth/logout', {
      body: { refreshToken: user.refreshToken },
    });
    expect(out.status).toBe(204);
    const refused = await me(user.accessToken);
    expect(refused.status).toBe(401);
    expect(refused.body.message).toBe(
      'Access token was revoked: its session was signed out or its grant revoked; log in again',
    );
    // the account's other session is another family and keeps working
    expect((await me(other.body.accessToken)).status).toBe(200);
  });

  it('should revoke every refresh token of the account, and end OAuth sign-ins not yet exchanged', async () => {
    const user = await registerUser(t);
    const resource = `${t.url}/mcp`;
    const { client_id } = await registerClient(t);
    const { visit, verifier } = await authorizeThroughPages(t, client_id, user, redirect, {
      extra: { resource },
    });
    const code = visit.callback?.searchParams.get('code');
    expect(code).toBeTruthy();

    expect((await http(t.url, 'POST', '/api/v1/auth/logout-all', { token: user.accessToken })).status).toBe(
      204,
    );
    const [{ live }] = await t.dataSource.query(
      `SELECT count(*)::int AS live FROM refresh_tokens WHERE user_id = $1 AND revoked_at IS NULL`,
      [user.id],
    );
    expect(live).toBe(0);
    const exchange = await tokenRequest(t, {
      grant_type: 'authorization_code',
      client_id,
      code: code as string,
      code_verifier: verifier,
      redirect_uri: redirect.url,
      resource,
    });
    expect(exchange.status).toBe(400);
    expect(exchange.body.error).toBe('invalid_grant');
    expect(exchange.body.access_token).toBeUndefined();

    // the account itself is fine: a new login, and a new OAuth grant, work
    const fresh = await http(t.url, 'POST', '/api/v1/auth/login', {
      body: { email: user.email, password: user.password },
    });
    expect((await me(fresh.body.accessToken)).status).toBe(200);
    const second = await authorizeThroughPages(t, client_id, user, redirect, { extra: { resource } });
    const granted = await tokenRequest(t, {
      grant_type: 'authorization_code',
      client_id,
      code: second.visit.callback?.searchParams.get('code') as string,
      code_verifier: second.verifier,
      redirect_uri: redirect.url,
      resource,
    });
    expect(granted.status).toBe(200);
    expect(
      (await rawMcp(t, 'POST', { token: granted.body.access_token, body: initializeMessage() })).status,
    ).toBe(200);
  });
});
