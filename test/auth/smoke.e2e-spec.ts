import { bootTestApp } from '../support/test-app.js';
import type { TestApp } from '../support/test-app.js';
import { http } from '../support/http.js';
import { registerUser } from '../support/factories.js';

describe('smoke', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await bootTestApp();
  });
  afterAll(() => t.close());

  it('should boot and answer /health/ready', async () => {
    const res = await http(t.url, 'GET', '/health/ready');
    expect(res.status).toBe(200);
    const user = await registerUser(t);
    const me = await http(t.url, 'GET', '/api/v1/auth/me', { token: user.accessToken });
    expect(me.body.email).toBe(user.email);
  });
});
