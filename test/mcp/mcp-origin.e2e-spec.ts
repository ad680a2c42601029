import { request } from 'node:http';
import { loadConfig } from '../../src/config/app-config.js';
import { McpOriginPolicy } from '../../src/tools/mcp/mcp-origin.policy.js';
import { bootTestApp } from '../support/test-app.js';
import type { TestApp } from '../support/test-app.js';

/** POST /mcp with exactly these headers (node:http, so Host can be set), without a token. */
function postMcp(t: TestApp, headers: Record<string, string>): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request(
      {
        host: '127.0.0.1',
        port: t.port,
        path: '/mcp',
        method: 'POST',
        headers: { 'content-type': 'application/json', host: `127.0.0.1:${t.port}`, ...headers },
      },
      (res) => {
        let body = '';
        res.on('data', (chunk: Buffer) => (body += chunk.toString()));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
      },
    );
    req.on('error', reject);
    req.end('{}');
  });
}

describe(McpOriginPolicy.name, () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await bootTestApp({ MCP_ALLOWED_ORIGINS: '', MCP_ALLOWED_HOSTS: '' });
  });
  afterAll(async () => {
    await t.close();
  });

  describe('a server bound to a loopback address', () => {
    it.each(['http://localhost:6274', 'http://127.0.0.1:5173', 'http://[::1]:8080', 'http://localhost'])(
      'should accept the loopback Origin %s on another port (the request goes on to the token check)',
      async (origin) => {
        const res = await postMcp(t, { origin });
        expect(res.status).toBe(401);
      },
    );

    it.each(['localhost:6274', '127.0.0.1:1', '[::1]:3000', 'localhost'])(
      'should accept the loopback Host %s on any port',
      async (host) => {
        const res = await postMcp(t, { host });
        expect(res.status).toBe(401);
      },
    );

    it('should refuse a foreign Origin with 403 and say which list to extend', async () => {
      const res = await postMcp(t, { origin: 'http://evil.example:6274' });
      expect(res.status).toBe(403);
      expect(JSON.parse(res.body).message).toContain('MCP_ALLOWED_ORIGINS');
    });

    it('should refuse an Origin that only starts like a loopback name', async () => {
      for (const origin of ['http://localhost.evil.example', 'http://127.0.0.1.evil.example:80', 'null']) {
        expect((await postMcp(t, { origin })).status).toBe(403);
      }
    });

    it('should refuse a foreign Host (DNS rebinding) with 403', async () => {
      const res = await postMcp(t, { host: `evil.example:${t.port}` });
      expect(res.status).toBe(403);
      expect(JSON.parse(res.body).message).toContain('MCP_ALLOWED_HOSTS');
      expect((await postMcp(t, { host: 'localhost.evil.example' })).status).toBe(403);
    });
  });

  describe('allow-lists and other bind addresses (policy alone)', () => {
    const headersOf = (headers: Record<string, string>) => ({ headers }) as never;

    it('should accept a foreign Origin and Host only once allow-listed', () => {
      const policy = new McpOriginPolicy(
        loadConfig({
          ...process.env,
          MCP_ALLOWED_ORIGINS: 'https://app.example',
          MCP_ALLOWED_HOSTS: 'mcp.example',
        }),
      );
      expect(() =>
        policy.assertAllowed(headersOf({ host: 'mcp.example', origin: 'https://app.example' })),
      ).not.toThrow();
      expect(() =>
        policy.assertAllowed(headersOf({ host: 'mcp.example', origin: 'https://other.example' })),
      ).toThrow(/MCP_ALLOWED_ORIGINS/);
    });

    it('should not widen the lists for loopback clients when the server listens on every interface', () => {
      const policy = new McpOriginPolicy(loadConfig({ ...process.env, HOST: '0.0.0.0', PORT: '3000' }));
      expect(() => policy.assertAllowed(headersOf({ host: 'localhost:3000' }))).not.toThrow();
      expect(() => policy.assertAllowed(headersOf({ host: 'localhost:6274' }))).toThrow(/MCP_ALLOWED_HOSTS/);
      expect(() =>
        policy.assertAllowed(headersOf({ host: 'localhost:3000', origin: 'http://localhost:6274' })),
      ).toThrow(/MCP_ALLOWED_ORIGINS/);
    });
  });
});
