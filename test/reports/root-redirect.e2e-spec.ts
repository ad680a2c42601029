import { RootRedirectController } from '../../src/reports/root-redirect.controller.js';
import { bootTestApp } from '../support/test-app.js';
import type { TestApp } from '../support/test-app.js';

/* `/` sends a browser to the dashboard and shadows nothing else. */
describe(RootRedirectController.name, () => {
  let t: TestApp;

  /** A request that does not follow redirects, so the 302 itself is seen. */
  const raw = (method: string, path: string) => fetch(`${t.url}${path}`, { method, redirect: 'manual' });

  beforeAll(async () => {
    t = await bootTestApp();
  });
  afterAll(async () => {
    await t?.close();
  });

  it.each(['GET', 'HEAD'])('should answer %s / with a 302 to /admin, no sign-in needed', async (method) => {
    const res = await raw(method, '/');
    expect(res.status).toBe(302);
    expect(res.headers.get('location')).toBe('/admin');
    const withQuery = await raw(method, '/?from=bookmark');
    expect(withQuery.status).toBe(302);
    expect(withQuery.headers.get('location')).toBe('/admin');
  });

  it('should land on the dashboard page when the redirect is followed', async () => {
    const res = await fetch(`${t.url}/`);
    expect(res.status).toBe(200);
    expect(res.url).toBe(`${t.url}/admin`);
    expect(res.headers.get('content-type')).toContain('text/html');
  });

  it.each([
    ['GET', '/health', 200],
    ['GET', '/api/docs-json', 200],
    ['GET', '/.well-known/oauth-protected-resource/mcp', 200],
    ['GET', '/.well-known/oauth-authorization-server', 200],
    ['POST', '/mcp', 401],
    ['GET', '/api/v1/reports/overview', 401],
    ['GET', '/nothing-here', 404],
  ])('should leave %s %s to its own route (%s)', async (method, path, status) => {
    const res = await raw(method, path);
    expect(res.status).toBe(status);
    expect(res.headers.get('location')).toBeNull();
  });
});
