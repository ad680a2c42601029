import { createPrivateKey, createPublicKey, randomUUID } from 'node:crypto';
import type { KeyObject } from 'node:crypto';
import { SignJWT, generateKeyPair } from 'jose';
import type { CryptoKey, JWTPayload } from 'jose';
import { setTimeout as sleep } from 'node:timers/promises';
import { JwtAuthGuard } from '../../src/auth/tokens/jwt-auth.guard.js';
import { UsersService } from '../../src/auth/users/users.service.js';
import { bootTestApp } from '../support/test-app.js';
import type { TestApp } from '../support/test-app.js';
import { http } from '../support/http.js';
import type { HttpResult } from '../support/http.js';
import { createAdmin, registerUser } from '../support/factories.js';
import type { TestUser } from '../support/factories.js';
import { GuardProbeModule } from '../support/guard-probe.module.js';

const ME = '/api/v1/auth/me';
const b64url = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');

function expectUnauthorized(res: HttpResult, message?: RegExp): void {
  expect(res.status).toBe(401);
  expect(res.headers.get('www-authenticate')).toMatch(/^Bearer /);
  expect(res.body).toEqual({
    statusCode: 401,
    error: 'Unauthorized',
    message: expect.any(String),
    requestId: expect.any(String),
  });
  if (message) expect(res.body.message).toMatch(message);
}

describe(JwtAuthGuard.name, () => {
  let t: TestApp;
  let user: TestUser;
  let admin: TestUser;
  let appKey: KeyObject;

  beforeAll(async () => {
    t = await bootTestApp({}, { extraModules: [GuardProbeModule] });
    user = await registerUser(t);
    admin = await createAdmin(t);
    appKey = createPrivateKey(t.config.jwtPrivateKeyPem);
  });
  afterAll(() => t.close());

  /** A token with the app's own claims layout; `claims` and `opts` bend one thing at a time. */
  const craft = (
    claims: JWTPayload = {},
    opts: {
      key?: KeyObject | CryptoKey | Uint8Array;
      alg?: string;
      sub?: string;
      iss?: string;
      aud?: string;
      exp?: number;
    } = {},
  ) => {
    const now = Math.floor(Date.now() / 1000);
    return new SignJWT({ email: user.email, kind: 'human', tier: 'public', role: 'user', ...claims })
      .setProtectedHeader({ alg: opts.alg ?? 'ES256', typ: 'JWT' })
      .setSubject(opts.sub ?? user.id)
      .setIssuer(opts.iss ?? t.config.jwtIssuer)
      .setAudience(opts.aud ?? t.config.jwtAudience)
      .setIssuedAt(now - 60)
      .setExpirationTime(opts.exp ?? now + 600)
      .setJti(randomUUID())
      .sign(opts.key ?? appKey);
  };

  describe('access token verification', () => {
    it('should accept a token crafted with the app key and the right claims (control)', async () => {
      const res = await http(t.url, 'GET', ME, { token: await craft() });
      expect(res.status).toBe(200);
      expect(res.body.id).toBe(user.id);
    });

    it('should answer 401 with WWW-Authenticate when no token is sent', async () => {
      expectUnauthorized(await http(t.url, 'GET', ME), /Missing bearer token/);
    });

    it('should answer 401 to a garbage token', async () => {
      expectUnauthorized(await http(t.url, 'GET', ME, { token: 'garbage.garbage.garbage' }));
      expectUnauthorized(await http(t.url, 'GET', ME, { token: 'not-a-jwt' }));
    });

    it('should answer 401 to a token in another scheme', async () => {
      expectUnauthorized(
        await http(t.url, 'GET', ME, { headers: { authorization: `Token ${user.accessToken}` } }),
      );
    });

    it('should answer 401 to an unsigned alg:none token', async () => {
      const now = Math.floor(Date.now() / 1000);
      const payload = {
        sub: user.id,
        email: user.email,
        kind: 'human',
        tier: 'public',
        role: 'admin',
        iss: t.config.jwtIssuer,
        aud: t.config.jwtAudience,
        iat: now,
        exp: now + 600,
        jti: randomUUID(),
      };
      for (const alg of ['none', 'None', 'NONE']) {
        const token = `${b64url({ alg, typ: 'JWT' })}.${b64url(payload)}.`;
        expectUnauthorized(await http(t.url, 'GET', ME, { token }));
      }
    });

    it('should answer 401 to a token signed by another ES256 key', async () => {
      const other = await generateKeyPair('ES256');
      const res = await http(t.url, 'GET', ME, { token: await craft({}, { key: other.privateKey }) });
      expectUnauthorized(res, /signature is not valid/);
    });

    it('should answer 401 to an HS256 token keyed with the public key (algorithm confusion)', async () => {
      const pem = createPublicKey(appKey).export({ type: 'spki', format: 'pem' }).toString();
      for (const secret of [pem, pem.trim()]) {
        const token = await craft({}, { alg: 'HS256', key: new TextEncoder().encode(secret) });
        expectUnauthorized(await http(t.url, 'GET', ME, { token }), /algorithm/);
      }
    });

    it('should answer 401 to a token for another audience', async () => {
      const res = await http(t.url, 'GET', ME, { token: await craft({}, { aud: 'someone-else' }) });
      expectUnauthorized(res, /another audience/);
    });

    it('should answer 401 to a token from another issuer', async () => {
      const res = await http(t.url, 'GET', ME, { token: await craft({}, { iss: 'evil-issuer' }) });
      expectUnauthorized(res, /another issuer/);
    });

    it('should answer 401 to an expired token', async () => {
      const exp = Math.floor(Date.now() / 1000) - 5;
      const res = await http(t.url, 'GET', ME, { token: await craft({}, { exp }) });
      expectUnauthorized(res, /expired/);
    });

    it('should answer 401 to a validly signed token whose subject does not exist', async () => {
      const token = await craft({ role: 'admin' }, { sub: randomUUID() });
      expectUnauthorized(await http(t.url, 'GET', ME, { token }), /no longer exists/);
      const notUuid = await craft({}, { sub: "1' OR '1'='1" });
      expectUnauthorized(await http(t.url, 'GET', ME, { token: notUuid }));
    });

    it('should take the role from the database, not from a forged claim', async () => {
      // a token signed with the real key but claiming admin for a normal user still gets 403
      const token = await craft({ role: 'admin' });
      const res = await http(t.url, 'GET', '/test-probe/admin', { token });
      expect(res.status).toBe(403);
    });
  });

  describe('what is remembered between requests', () => {
    it('should refuse a token once it expires although it was verified before', async () => {
      const exp = Math.floor(Date.now() / 1000) + 2;
      const token = await craft({}, { exp });
      expect((await http(t.url, 'GET', ME, { token })).status).toBe(200);
      await sleep(exp * 1000 - Date.now() + 50);
      expectUnauthorized(await http(t.url, 'GET', ME, { token }), /expired/);
    });

    it('should check the signature of any other text, even one character away from a verified token', async () => {
      const token = await craft();
      expect((await http(t.url, 'GET', ME, { token })).status).toBe(200);
      // a character well inside the signature (the last one also holds unused padding bits)
      const at = token.length - 10;
      const flipped = `${token.slice(0, at)}${token[at] === 'A' ? 'B' : 'A'}${token.slice(at + 1)}`;
      expectUnauthorized(await http(t.url, 'GET', ME, { token: flipped }), /signature/);
      const [header, , signature] = token.split('.');
      const otherClaims = b64url({
        sub: user.id,
        role: 'admin',
        iss: t.config.jwtIssuer,
        aud: t.config.jwtAudience,
        exp: Math.floor(Date.now() / 1000) + 600,
      });
      expectUnauthorized(
        await http(t.url, 'GET', ME, { token: `${header}.${otherClaims}.${signature}` }),
        /signature/,
      );
    });

    it('should apply a promotion made through the app at the next request', async () => {
      const someone = await registerUser(t);
      const probe = () => http(t.url, 'GET', '/test-probe/admin', { token: someone.accessToken });
      expect((await probe()).status).toBe(403);
      await t.app.get(UsersService).ensureAdmin(someone.email, someone.password);
      expect((await probe()).status).toBe(200);
    });

    it('should apply an account change made outside this instance within AUTH_USER_CACHE_MS', async () => {
      const someone = await registerUser(t);
      expect((await http(t.url, 'GET', ME, { token: someone.accessToken })).status).toBe(200);
      // another instance (or an operator in psql) disables the account: this instance has no hook
      await t.dataSource.query(`UPDATE users SET disabled_at = now() WHERE id = $1`, [someone.id]);
      const changedAt = Date.now();
      let res = await http(t.url, 'GET', ME, { token: someone.accessToken });
      while (res.status === 200 && Date.now() - changedAt < t.config.authUserCacheMs + 2000) {
        await sleep(100);
        res = await http(t.url, 'GET', ME, { token: someone.accessToken });
      }
      expectUnauthorized(res, /disabled or no longer exists/);
      expect(Date.now() - changedAt).toBeLessThanOrEqual(t.config.authUserCacheMs + 500);
    });
  });

  describe('admin and service-key guards', () => {
    it('should let an admin token through @AdminOnly()', async () => {
      const res = await http(t.url, 'GET', '/test-probe/admin', { token: admin.accessToken });
      expect(res.status).toBe(200);
      expect(res.body).toEqual({ ok: true, userId: admin.id });
    });

    it('should answer 403 to a valid non-admin token on an admin route', async () => {
      const res = await http(t.url, 'GET', '/test-probe/admin', { token: user.accessToken });
      expect(res.status).toBe(403);
      expect(res.body).toMatchObject({
        statusCode: 403,
        error: 'Forbidden',
        message: 'This route needs an admin account',
      });
    });

    it('should answer 401 (not 403) on an admin route with no token', async () => {
      expectUnauthorized(await http(t.url, 'GET', '/test-probe/admin'));
    });

    it('should accept the service key on a service-key route', async () => {
      const res = await http(t.url, 'GET', '/test-probe/internal', {
        headers: { 'x-service-key': t.config.serviceKey },
      });
      expect(res.status).toBe(200);
      expect(res.body).toEqual({ ok: true });
    });

    it('should refuse a JWT (even an admin one) on a service-key route', async () => {
      for (const token of [user.accessToken, admin.accessToken]) {
        const res = await http(t.url, 'GET', '/test-probe/internal', { token });
        expectUnauthorized(res, /X-Service-Key/);
      }
    });

    it('should refuse a wrong service key of the same and of another length', async () => {
      const key = t.config.serviceKey;
      const sameLength = `${key[0] === 'A' ? 'B' : 'A'}${key.slice(1)}`;
      for (const wrong of [sameLength, `${key}x`, key.slice(0, -1)]) {
        const res = await http(t.url, 'GET', '/test-probe/internal', { headers: { 'x-service-key': wrong } });
        expectUnauthorized(res, /X-Service-Key is not valid/);
      }
      expectUnauthorized(await http(t.url, 'GET', '/test-probe/internal'), /needs the X-Service-Key/);
    });

    it('should refuse the service key on JWT routes', async () => {
      for (const path of [ME, '/test-probe/jwt', '/test-probe/admin', '/api/v1/spaces']) {
        const res = await http(t.url, 'GET', path, { headers: { 'x-service-key': t.config.serviceKey } });
        expectUnauthorized(res);
      }
      const asBearer = await http(t.url, 'GET', ME, { token: t.config.serviceKey });
      expectUnauthorized(asBearer);
    });

    it('should never echo the service key or a token in an error response', async () => {
      const res = await http(t.url, 'GET', '/test-probe/internal', { token: user.accessToken });
      expect(res.text).not.toContain(user.accessToken);
      expect(res.text).not.toContain(t.config.serviceKey);
    });
  });
  describe('the real admin and internal routes', () => {
    const ADMIN = '/api/v1/personas/admin';
    const DUE = '/api/v1/personas/internal/due?limit=1';

    it('should open the personas admin API to an admin only', async () => {
      expect((await http(t.url, 'GET', ADMIN, { token: admin.accessToken })).status).toBe(200);
      const asUser = await http(t.url, 'GET', ADMIN, { token: user.accessToken });
      expect(asUser.status).toBe(403);
      expectUnauthorized(await http(t.url, 'GET', ADMIN));
      expectUnauthorized(
        await http(t.url, 'GET', ADMIN, { headers: { 'x-service-key': t.config.serviceKey } }),
      );
    });

    it('should open the personas internal API to the service key only', async () => {
      const ok = await http(t.url, 'GET', DUE, { headers: { 'x-service-key': t.config.serviceKey } });
      expect(ok.status).toBe(200);
      expect(Array.isArray(ok.body.items)).toBe(true);
      expectUnauthorized(await http(t.url, 'GET', DUE, { token: admin.accessToken }), /X-Service-Key/);
      expectUnauthorized(await http(t.url, 'GET', DUE));
    });
  });
});
