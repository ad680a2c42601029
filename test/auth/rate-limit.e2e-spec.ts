import { authRateLimiters } from '../../src/auth/auth-rate-limit.js';
import { bootTestApp } from '../support/test-app.js';
import type { TestApp } from '../support/test-app.js';
import { http } from '../support/http.js';
import type { HttpResult } from '../support/http.js';
import { TEST_PASSWORD, uniqueEmail } from '../support/factories.js';

const LOGIN = '/api/v1/auth/login';
const REGISTER = '/api/v1/auth/register';

function expectThrottled(res: HttpResult, windowSeconds: number): void {
  expect(res.status).toBe(429);
  const retryAfter = Number(res.headers.get('retry-after'));
  expect(retryAfter).toBeGreaterThan(0);
  expect(retryAfter).toBeLessThanOrEqual(windowSeconds);
  expect(res.body).toEqual({
    statusCode: 429,
    error: 'Too Many Requests',
    message: expect.stringMatching(/^Too many sign-in or sign-up attempts; try again in \d+ s$/),
    requestId: expect.any(String),
  });
}

describe(authRateLimiters.name, () => {
  describe('per email', () => {
    let t: TestApp;
    beforeAll(async () => {
      t = await bootTestApp({ AUTH_RATE_LIMIT_PER_EMAIL: '3', AUTH_RATE_WINDOW_MS: '60000' });
    });
    afterAll(() => t.close());

    it('should answer 429 with Retry-After once one email has used its budget, in any case', async () => {
      const email = uniqueEmail('target');
      const attempt = (e: string) =>
        http(t.url, 'POST', LOGIN, { body: { email: e, password: 'wrong-guess-1' } });
      expect((await attempt(email)).status).toBe(401);
      expect((await attempt(email.toUpperCase())).status).toBe(401);
      expect((await attempt(` ${email} `)).status).toBe(400); // padded: not an email, still counted
      expectThrottled(await attempt(email), 60);
    });

    it('should keep other emails from the same client unaffected', async () => {
      const other = await http(t.url, 'POST', LOGIN, {
        body: { email: uniqueEmail('bystander'), password: 'wrong-guess-1' },
      });
      expect(other.status).toBe(401);
    });

    it('should count sign-ups against the same email budget', async () => {
      const email = uniqueEmail('signup');
      const first = await http(t.url, 'POST', REGISTER, { body: { email, password: TEST_PASSWORD } });
      expect(first.status).toBe(201);
      for (let i = 0; i < 2; i++) {
        expect(
          (await http(t.url, 'POST', REGISTER, { body: { email, password: TEST_PASSWORD } })).status,
        ).toBe(409);
      }
      expectThrottled(await http(t.url, 'POST', LOGIN, { body: { email, password: TEST_PASSWORD } }), 60);
    });

    it('should not throttle routes other than login and sign-up', async () => {
      for (let i = 0; i < 5; i++) {
        const res = await http(t.url, 'POST', '/api/v1/auth/refresh', { body: { refreshToken: 'nope' } });
        expect(res.status).toBe(401);
      }
    });
  });

  describe('per IP', () => {
    let t: TestApp;
    beforeAll(async () => {
      t = await bootTestApp({ AUTH_RATE_LIMIT_PER_IP: '5', AUTH_RATE_WINDOW_MS: '30000' });
    });
    afterAll(() => t.close());

    it('should answer 429 with Retry-After once one client has used its budget, whatever the email', async () => {
      for (let i = 0; i < 5; i++) {
        const res = await http(t.url, 'POST', LOGIN, {
          body: { email: uniqueEmail(`spray${i}`), password: 'wrong-guess-1' },
        });
        expect(res.status).toBe(401);
      }
      const blocked = await http(t.url, 'POST', REGISTER, {
        body: { email: uniqueEmail('late'), password: TEST_PASSWORD },
      });
      expectThrottled(blocked, 30);
      expect(blocked.headers.get('ratelimit-policy')).toContain('5;w=30');
    });
  });
});
