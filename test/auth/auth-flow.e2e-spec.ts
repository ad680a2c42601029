import { createLocalJWKSet, decodeProtectedHeader, jwtVerify } from 'jose';
import { AuthController } from '../../src/auth/auth.controller.js';
import { UsersService } from '../../src/auth/users/users.service.js';
import { bootTestApp } from '../support/test-app.js';
import type { TestApp } from '../support/test-app.js';
import { http } from '../support/http.js';
import { TEST_PASSWORD, login, registerUser, uniqueEmail } from '../support/factories.js';

const REGISTER = '/api/v1/auth/register';
const LOGIN = '/api/v1/auth/login';
const REFRESH = '/api/v1/auth/refresh';
const LOGOUT = '/api/v1/auth/logout';
const ME = '/api/v1/auth/me';

describe(AuthController.name, () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await bootTestApp();
  });
  afterAll(() => t.close());

  const refresh = (refreshToken: string) => http(t.url, 'POST', REFRESH, { body: { refreshToken } });

  describe('register → login → me → refresh → logout', () => {
    it('should answer sign-up with a token pair and the new user as a human with defaults', async () => {
      const email = uniqueEmail('flow');
      const res = await http(t.url, 'POST', REGISTER, {
        body: { email, password: TEST_PASSWORD, name: 'Ada' },
      });
      expect(res.status).toBe(201);
      expect(res.body).toEqual({
        accessToken: expect.any(String),
        refreshToken: expect.any(String),
        expiresIn: 900,
        user: { id: expect.any(String), email, kind: 'human', tier: 'public', role: 'user' },
      });
      expect(res.text).not.toContain('passwordHash');
      expect(res.text).not.toContain(TEST_PASSWORD);
    });

    it('should issue an ES256 access token with every claim, verifiable through the JWKS', async () => {
      const user = await registerUser(t);
      const jwks = await http(t.url, 'GET', '/api/v1/auth/jwks');
      expect(jwks.status).toBe(200);
      expect(jwks.body.keys).toHaveLength(1);
      expect(jwks.body.keys[0]).toMatchObject({ kty: 'EC', crv: 'P-256', alg: 'ES256', use: 'sig' });
      expect(jwks.body.keys[0].d).toBeUndefined();

      const header = decodeProtectedHeader(user.accessToken);
      expect(header).toMatchObject({ alg: 'ES256', kid: jwks.body.keys[0].kid });
      const { payload } = await jwtVerify(user.accessToken, createLocalJWKSet(jwks.body), {
        issuer: t.config.jwtIssuer,
        audience: t.config.jwtAudience,
        algorithms: ['ES256'],
      });
      expect(payload).toMatchObject({
        sub: user.id,
        email: user.email,
        kind: 'human',
        tier: 'public',
        role: 'user',
        iss: 'mana-personas',
        aud: 'mana',
      });
      expect(typeof payload.jti).toBe('string');
      expect(payload.exp! - payload.iat!).toBe(900);
    });

    it('should log in (email in any case), answer /me, rotate the refresh token and refuse the old one', async () => {
      const user = await registerUser(t, uniqueEmail('Rotate').toLowerCase());
      const loginRes = await http(t.url, 'POST', LOGIN, {
        body: { email: user.email.toUpperCase(), password: user.password },
      });
      expect(loginRes.status).toBe(200);
      expect(loginRes.body.user).toEqual({
        id: user.id,
        email: user.email,
        kind: 'human',
        tier: 'public',
        role: 'user',
      });

      const me = await http(t.url, 'GET', ME, { token: loginRes.body.accessToken });
      expect(me.status).toBe(200);
      expect(me.body).toMatchObject({ id: user.id, email: user.email, kind: 'human', emailVerified: false });

      const first = loginRes.body.refreshToken as string;
      const rotated = await refresh(first);
      expect(rotated.status).toBe(200);
      expect(rotated.body.refreshToken).not.toBe(first);
      expect(rotated.body.user.id).toBe(user.id);
      const meAgain = await http(t.url, 'GET', ME, { token: rotated.body.accessToken });
      expect(meAgain.status).toBe(200);

      const reused = await refresh(first);
      expect(reused.status).toBe(401);
      expect(reused.body).toMatchObject({ statusCode: 401, error: 'Unauthorized' });
      expect(reused.body.message).toMatch(/already used or revoked/);
    });

    it('should revoke the whole token family when a spent refresh token is presented again', async () => {
      const user = await registerUser(t);
      const otherSession = await login(t, user.email, user.password);

      const second = await refresh(user.refreshToken);
      expect(second.status).toBe(200);
      // the thief replays the spent token: the legitimate holder's fresh token dies with it
      expect((await refresh(user.refreshToken)).status).toBe(401);
      const afterTheft = await refresh(second.body.refreshToken);
      expect(afterTheft.status).toBe(401);

      // another login is another family and keeps working
      const unaffected = await refresh(otherSession.refreshToken);
      expect(unaffected.status).toBe(200);
    });

    it('should let exactly one of two concurrent refreshes with the same token win', async () => {
      const user = await registerUser(t);
      const results = await Promise.all([refresh(user.refreshToken), refresh(user.refreshToken)]);
      expect(results.map((r) => r.status).sort()).toEqual([200, 401]);
    });

    it('should refuse the refresh token after logout', async () => {
      const user = await registerUser(t);
      const out = await http(t.url, 'POST', LOGOUT, { body: { refreshToken: user.refreshToken } });
      expect(out.status).toBe(204);
      const after = await refresh(user.refreshToken);
      expect(after.status).toBe(401);
      expect(after.body.message).toMatch(/log in again/);
      // logging out twice, or with an unknown token, is harmless
      expect((await http(t.url, 'POST', LOGOUT, { body: { refreshToken: user.refreshToken } })).status).toBe(
        204,
      );
      expect((await http(t.url, 'POST', LOGOUT, { body: { refreshToken: 'nope' } })).status).toBe(204);
    });

    it('should refuse an unknown refresh token with 401', async () => {
      const res = await refresh('x'.repeat(43));
      expect(res.status).toBe(401);
      expect(res.body.message).toBe('Refresh token is not valid');
    });

    it('should refuse a wrong password and an unknown email with the same 401', async () => {
      const user = await registerUser(t);
      const wrong = await http(t.url, 'POST', LOGIN, {
        body: { email: user.email, password: 'not-it-at-all' },
      });
      const unknown = await http(t.url, 'POST', LOGIN, {
        body: { email: uniqueEmail('ghost'), password: TEST_PASSWORD },
      });
      expect(wrong.status).toBe(401);
      expect(unknown.status).toBe(401);
      expect(wrong.body.message).toBe(unknown.body.message);
    });
  });

  describe('registration rules', () => {
    it.each(['kind', 'role', 'tier'])('should refuse %s in the sign-up body with 400', async (field) => {
      const email = uniqueEmail('sneaky');
      const value = { kind: 'persona', role: 'admin', tier: 'founder' }[field];
      const res = await http(t.url, 'POST', REGISTER, {
        body: { email, password: TEST_PASSWORD, [field]: value },
      });
      expect(res.status).toBe(400);
      expect(res.body.message).toContain(`property ${field} should not exist`);
      // and nothing was created
      expect(await t.app.get(UsersService).findByEmail(email)).toBeNull();
    });

    it('should refuse a duplicate email in another case with 409', async () => {
      const user = await registerUser(t, uniqueEmail('dup'));
      const res = await http(t.url, 'POST', REGISTER, {
        body: { email: `  ${user.email.toUpperCase()}`.trim(), password: TEST_PASSWORD },
      });
      expect(res.status).toBe(409);
      expect(res.body).toMatchObject({
        statusCode: 409,
        error: 'Conflict',
        message: 'An account with this email already exists',
      });
    });

    it.each([
      ['too short', 'short1', 'at least 10 characters'],
      ['too repetitive', 'aaaaaaaaaaaa', 'at least 5 different characters'],
      ['common', 'Password123', 'too common'],
      ['too long', 'x1y2z3'.repeat(22), '128 characters'],
    ])('should refuse a %s password with 400 and the reason', async (_label, password, reason) => {
      const res = await http(t.url, 'POST', REGISTER, { body: { email: uniqueEmail('weak'), password } });
      expect(res.status).toBe(400);
      expect(res.body.message).toContain(reason);
    });

    it('should refuse a password that contains the email name', async () => {
      const res = await http(t.url, 'POST', REGISTER, {
        body: { email: 'margarethe.x@example.com', password: 'Margarethe.X-2024!' },
      });
      expect(res.status).toBe(400);
      expect(res.body.message).toBe('password must not contain the email name');
    });

    it('should give exactly one 201 and nine 409 to ten concurrent sign-ups of one email', async () => {
      const email = uniqueEmail('race');
      const results = await Promise.all(
        Array.from({ length: 10 }, (_, i) =>
          http(t.url, 'POST', REGISTER, {
            body: { email: i % 2 ? email.toUpperCase() : email, password: TEST_PASSWORD },
          }),
        ),
      );
      const statuses = results.map((r) => r.status).sort();
      expect(statuses).toEqual([201, 409, 409, 409, 409, 409, 409, 409, 409, 409]);
      const rows = await t.dataSource.query(`SELECT count(*)::int AS n FROM users WHERE email = $1`, [email]);
      expect(rows[0].n).toBe(1);
      const spaces = await t.dataSource.query(
        `SELECT count(*)::int AS n FROM space_members m JOIN users u ON u.id = m.user_id WHERE u.email = $1`,
        [email],
      );
      expect(spaces[0].n).toBe(1);
    });
  });

  describe('disabled accounts', () => {
    it('should stop a disabled user’s access token, refresh token and login at once', async () => {
      const user = await registerUser(t);
      expect((await http(t.url, 'GET', ME, { token: user.accessToken })).status).toBe(200);

      await t.app.get(UsersService).disable(user.id);

      const me = await http(t.url, 'GET', ME, { token: user.accessToken });
      expect(me.status).toBe(401);
      expect(me.headers.get('www-authenticate')).toMatch(/^Bearer /);
      expect(me.body.message).toMatch(/disabled or no longer exists/);
      expect((await refresh(user.refreshToken)).status).toBe(401);
      const again = await http(t.url, 'POST', LOGIN, {
        body: { email: user.email, password: user.password },
      });
      expect(again.status).toBe(401);
      expect(again.body.message).toBe('This account is disabled');
    });
  });
});
