import { randomUUID } from 'node:crypto';
import { createApp } from '../../src/app.factory.js';
import { bootTestApp } from '../support/test-app.js';
import type { TestApp } from '../support/test-app.js';
import { http } from '../support/http.js';
import { registerUser } from '../support/factories.js';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

describe(createApp.name, () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await bootTestApp();
  });
  afterAll(() => t.close());

  describe('health', () => {
    it('should answer /health (liveness) and /health/ready (database) with 200 and no token', async () => {
      const live = await http(t.url, 'GET', '/health');
      expect(live.status).toBe(200);
      expect(live.body.status).toBe('ok');
      const ready = await http(t.url, 'GET', '/health/ready');
      expect(ready.status).toBe(200);
      expect(ready.body).toMatchObject({ status: 'ok', info: { database: { status: 'up' } } });
    });
  });

  describe('metrics', () => {
    it('should count HTTP requests by method, route pattern and status', async () => {
      const user = await registerUser(t);
      await http(t.url, 'GET', '/api/v1/auth/me', { token: user.accessToken });
      await http(t.url, 'GET', '/api/v1/auth/me');
      await http(t.url, 'GET', `/api/v1/spaces/${randomUUID()}/members`, { token: user.accessToken });
      await http(t.url, 'GET', `/no/such/${randomUUID()}`);

      const res = await http(t.url, 'GET', '/metrics');
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toContain('text/plain');
      const text = res.text;
      expect(text).toContain('# TYPE http_requests_total counter');
      expect(text).toMatch(
        /http_requests_total\{method="POST",route="\/api\/v1\/auth\/register",status="201"\} \d+/,
      );
      expect(text).toMatch(
        /http_requests_total\{method="GET",route="\/api\/v1\/auth\/me",status="200"\} \d+/,
      );
      expect(text).toMatch(
        /http_requests_total\{method="GET",route="\/api\/v1\/auth\/me",status="401"\} \d+/,
      );
      // parameterised routes are labelled by their pattern, unknown paths collapse into one label
      expect(text).toMatch(
        /http_requests_total\{method="GET",route="\/api\/v1\/spaces\/:id\/members",status="404"\} \d+/,
      );
      expect(text).toMatch(/http_requests_total\{method="GET",route="unmatched",status="404"\} \d+/);
      expect(text).not.toMatch(/route="\/no\/such/);
      expect(text).toContain('# TYPE http_request_duration_seconds histogram');
      expect(text).toMatch(
        /http_request_duration_seconds_bucket\{le="0.005",method="GET",route="\/api\/v1\/auth\/me"\}/,
      );
      expect(text).toContain('process_resident_memory_bytes');
    });

    it('should increase the counter for each request', async () => {
      const read = async () => {
        const text = (await http(t.url, 'GET', '/metrics')).text;
        const m = /http_requests_total\{method="GET",route="\/api\/v1\/auth\/jwks",status="200"\} (\d+)/.exec(
          text,
        );
        return m ? Number(m[1]) : 0;
      };
      const before = await read();
      for (let i = 0; i < 3; i++) await http(t.url, 'GET', '/api/v1/auth/jwks');
      expect(await read()).toBe(before + 3);
    });
  });

  describe('OpenAPI', () => {
    it('should serve the docs page and a document listing the auth and spaces routes', async () => {
      const page = await http(t.url, 'GET', '/api/docs');
      expect(page.status).toBe(200);
      expect(page.headers.get('content-type')).toContain('text/html');
      const doc = await http(t.url, 'GET', '/api/docs-json');
      expect(doc.status).toBe(200);
      expect(doc.body.info.title).toBe('Mana Personas');
      expect(Object.keys(doc.body.paths)).toEqual(
        expect.arrayContaining(['/api/v1/auth/register', '/api/v1/auth/login', '/api/v1/spaces']),
      );
      expect(doc.body.components.securitySchemes).toHaveProperty('service-key');
    });
  });

  describe('security headers', () => {
    it('should send helmet headers and hide X-Powered-By', async () => {
      const res = await http(t.url, 'GET', '/health');
      expect(res.headers.get('x-content-type-options')).toBe('nosniff');
      expect(res.headers.get('x-frame-options')).toBe('SAMEORIGIN');
      expect(res.headers.get('strict-transport-security')).toContain('max-age=');
      expect(res.headers.get('content-security-policy')).toContain("default-src 'self'");
      expect(res.headers.get('referrer-policy')).toBe('no-referrer');
      expect(res.headers.get('x-powered-by')).toBeNull();
    });
  });

  describe('request ids', () => {
    it('should make a request id when none is sent and echo it', async () => {
      const a = await http(t.url, 'GET', '/health');
      const b = await http(t.url, 'GET', '/health');
      expect(a.headers.get('x-request-id')).toMatch(UUID);
      expect(b.headers.get('x-request-id')).not.toBe(a.headers.get('x-request-id'));
    });

    it('should reuse a sane caller-supplied id, in the header and in error bodies', async () => {
      const id = 'trace-42.abc_DEF';
      const ok = await http(t.url, 'GET', '/health', { headers: { 'x-request-id': id } });
      expect(ok.headers.get('x-request-id')).toBe(id);
      const err = await http(t.url, 'GET', '/api/v1/auth/me', { headers: { 'x-request-id': id } });
      expect(err.status).toBe(401);
      expect(err.headers.get('x-request-id')).toBe(id);
      expect(err.body.requestId).toBe(id);
    });

    it.each([
      ['too long', 'a'.repeat(65)],
      ['with spaces', 'a b'],
      ['with markup', '<script>'],
      ['with a newline escape', 'x%0d%0aSet-Cookie:a=b'],
    ])('should replace an insane caller-supplied id (%s) with its own', async (_label, id) => {
      const res = await http(t.url, 'GET', '/health', { headers: { 'x-request-id': id } });
      expect(res.headers.get('x-request-id')).toMatch(UUID);
    });

    it('should carry the request id on a body-parser error too', async () => {
      const res = await http(t.url, 'POST', '/api/v1/auth/login', {
        rawBody: '{nope',
        headers: { 'x-request-id': 'parse-fail-1' },
      });
      expect(res.status).toBe(400);
      expect(res.body.requestId).toBe('parse-fail-1');
    });
  });
});
