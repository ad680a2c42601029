import { HttpExceptionFilter } from '../../src/common/http-exception.filter.js';
import { bootTestApp } from '../support/test-app.js';
import type { TestApp } from '../support/test-app.js';
import { http } from '../support/http.js';
import type { HttpResult } from '../support/http.js';
import { TEST_PASSWORD, registerUser, uniqueEmail } from '../support/factories.js';
import type { TestUser } from '../support/factories.js';

const REGISTER = '/api/v1/auth/register';

/** A clean client error: the expected status and exactly the common error shape, never a 500. */
function expectClientError(res: HttpResult, status: number, message?: string | RegExp): void {
  expect(res.status).toBe(status);
  expect(res.body).toEqual({
    statusCode: status,
    error: expect.any(String),
    message: expect.any(String),
    requestId: expect.any(String),
  });
  expect(res.body.requestId).toBe(res.headers.get('x-request-id'));
  expect(res.text).not.toMatch(/QueryFailedError|at .*\.(js|ts):\d+|SELECT |INSERT /);
  if (typeof message === 'string') expect(res.body.message).toContain(message);
  else if (message) expect(res.body.message).toMatch(message);
}

describe(HttpExceptionFilter.name, () => {
  let t: TestApp;
  let user: TestUser;
  let spaceId: string;

  beforeAll(async () => {
    t = await bootTestApp();
    user = await registerUser(t);
    const space = await http(t.url, 'POST', '/api/v1/spaces', {
      token: user.accessToken,
      body: { name: 'Probe', type: 'club' },
    });
    spaceId = space.body.id;
  });
  afterAll(() => t.close());

  const register = (body: unknown) => http(t.url, 'POST', REGISTER, { body });
  const good = () => ({ email: uniqueEmail('safe'), password: TEST_PASSWORD });

  describe('NUL characters and lone surrogates', () => {
    it.each([
      ['email', { email: 'a\u0000b@example.com' }],
      ['password', { password: 'Tr0ub4dor\u0000&3-horse' }],
      ['name', { name: 'Ada\u0000' }],
    ])('should refuse a NUL in the sign-up %s with 400 naming the field', async (field, patch) => {
      const res = await register({ ...good(), ...patch });
      expectClientError(res, 400, `${field} contains a NUL (\\u0000) character`);
    });

    it('should refuse a NUL in a property name', async () => {
      const res = await register({ ...good(), 'na\u0000me': 'x' });
      expectClientError(res, 400, 'NUL');
    });

    it.each([
      ['high', '\ud800'],
      ['low', '\udc00'],
      ['reversed pair', '\udc00\ud800'],
    ])('should refuse a lone %s surrogate with 400', async (_kind, text) => {
      const res = await register({ ...good(), name: `Ada ${text}` });
      expectClientError(res, 400, 'name contains a lone UTF-16 surrogate');
    });

    it('should accept a correctly paired surrogate (an emoji) in a name', async () => {
      const res = await register({ ...good(), name: 'Ada 🦉' });
      expect(res.status).toBe(201);
    });

    it('should refuse NUL and lone surrogates on every other text input', async () => {
      const cases: Array<Promise<HttpResult>> = [
        http(t.url, 'POST', '/api/v1/auth/login', { body: { email: user.email, password: 'x\u0000y' } }),
        http(t.url, 'POST', '/api/v1/auth/refresh', { body: { refreshToken: `${user.refreshToken}\u0000` } }),
        http(t.url, 'POST', '/api/v1/auth/logout', { body: { refreshToken: '\ud83d' } }),
        http(t.url, 'POST', '/api/v1/spaces', {
          token: user.accessToken,
          body: { name: 'Fam\u0000ily', type: 'family' },
        }),
        http(t.url, 'POST', `/api/v1/spaces/${spaceId}/members`, {
          token: user.accessToken,
          body: { email: 'x\ud800@example.com' },
        }),
      ];
      for (const res of await Promise.all(cases)) expectClientError(res, 400, /NUL|surrogate/);
    });

    it('should refuse a NUL in a path parameter with 400', async () => {
      const res = await http(t.url, 'GET', '/api/v1/spaces/%00/members', { token: user.accessToken });
      expectClientError(res, 400, 'NUL');
    });
  });

  describe('malformed, oversized and unexpected bodies', () => {
    it('should answer 413 to a body over the limit', async () => {
      const res = await register({ ...good(), name: 'x'.repeat(1_100_000) });
      expectClientError(res, 413, 'Request body is larger than the limit');
    });

    it('should answer 413 on an authenticated route too', async () => {
      const res = await http(t.url, 'POST', '/api/v1/spaces', {
        token: user.accessToken,
        rawBody: `{"name":"${'y'.repeat(2_000_000)}","type":"team"}`,
      });
      expectClientError(res, 413);
    });

    it.each([
      ['truncated', '{"email":'],
      ['single quotes', "{'email':'a@example.com'}"],
      ['trailing comma', '{"email":"a@example.com",}'],
      ['a bare string', '"hello"'],
      ['null', 'null'],
      ['a number', '42'],
    ])('should answer 400 to malformed JSON (%s)', async (_label, rawBody) => {
      const res = await http(t.url, 'POST', REGISTER, { rawBody });
      expectClientError(res, 400, 'Request body is not valid JSON');
    });

    it('should answer 400 naming an unknown field', async () => {
      const res = await register({ ...good(), favouriteColour: 'teal' });
      expectClientError(res, 400, 'property favouriteColour should not exist');
    });

    it('should answer 400 to an unknown field on the spaces routes', async () => {
      const res = await http(t.url, 'POST', '/api/v1/spaces', {
        token: user.accessToken,
        body: { name: 'X', type: 'team', ownerId: user.id },
      });
      expectClientError(res, 400, 'property ownerId should not exist');
    });

    it.each([
      ['email as a number', { email: 12345 }, 'email must be an email address'],
      ['email as null', { email: null }, 'email must be an email address'],
      ['password as a number', { password: 12345678901 }, 'password must be a string'],
      ['password as an object', { password: { $ne: '' } }, 'password must be a string'],
      ['name as an array', { name: ['Ada'] }, 'name must be a string'],
      ['name as a boolean', { name: true }, 'name must be a string'],
      ['email as an array', { email: ['a@example.com', 'b@example.com'] }, 'email must be an email address'],
    ])('should answer 400 to wrong types (%s)', async (_label, patch, message) => {
      const res = await register({ ...good(), ...patch });
      expectClientError(res, 400, message);
    });

    it('should answer 400 to a top-level array', async () => {
      const res = await http(t.url, 'POST', REGISTER, { rawBody: JSON.stringify([good()]) });
      expectClientError(res, 400);
    });

    it('should answer 400 to an empty body and to a body sent as text/plain', async () => {
      expectClientError(await http(t.url, 'POST', REGISTER), 400, 'email must be an email address');
      const plain = await http(t.url, 'POST', REGISTER, {
        rawBody: JSON.stringify(good()),
        headers: { 'content-type': 'text/plain' },
      });
      expectClientError(plain, 400, 'email must be an email address');
    });

    it('should answer a clean 4xx to an unsupported charset and a bogus content encoding', async () => {
      const charset = await http(t.url, 'POST', REGISTER, {
        rawBody: JSON.stringify(good()),
        headers: { 'content-type': 'application/json; charset=klingon' },
      });
      expectClientError(charset, 415);
      const gzip = await http(t.url, 'POST', REGISTER, {
        rawBody: 'definitely not gzip',
        headers: { 'content-encoding': 'gzip' },
      });
      expectClientError(gzip, 400);
    });

    it('should answer 400 to a deeply nested body', async () => {
      let nested: unknown = 'x';
      for (let i = 0; i < 50; i++) nested = [nested];
      const res = await register({ ...good(), name: nested });
      expectClientError(res, 400);
    });

    it('should refuse __proto__ and constructor properties with 400 (prototype pollution)', async () => {
      const body = good();
      const rawBody = `{"email":"${body.email}","password":"${body.password}","__proto__":{"role":"admin"}}`;
      const proto = await http(t.url, 'POST', REGISTER, { rawBody });
      expectClientError(proto, 400, '__proto__ is not an allowed property name');
      const ctor = await register({ ...good(), constructor: { prototype: { role: 'admin' } } });
      expectClientError(ctor, 400, 'constructor is not an allowed property name');
      const nested = await http(t.url, 'POST', '/api/v1/spaces', {
        token: user.accessToken,
        rawBody: '{"name":"X","type":"team","extra":{"__proto__":{"polluted":true}}}',
      });
      expectClientError(nested, 400, 'extra.__proto__ is not an allowed property name');
      expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    });

    it('should answer 404 in the common shape for an unknown route', async () => {
      const res = await http(t.url, 'GET', '/api/v1/nothing-here', { token: user.accessToken });
      expectClientError(res, 404);
    });

    it('should answer a wrong method on a known path in the common shape', async () => {
      const res = await http(t.url, 'PATCH', REGISTER, { body: good() });
      expect(res.status).toBe(404);
      expectClientError(res, 404);
    });
  });
});
