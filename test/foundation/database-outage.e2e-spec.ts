import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { createApp } from '../../src/app.factory.js';
import { loadConfig } from '../../src/config/app-config.js';
import { EmbeddedPostgres } from '../../src/database/embedded-postgres.js';
import { HealthController } from '../../src/observability/health.controller.js';
import { freePort } from '../support/test-app.js';
import { http } from '../support/http.js';
import { waitFor } from '../support/wait-for.js';
import { TEST_PASSWORD, uniqueEmail } from '../support/factories.js';

// Runs on its own embedded Postgres (in both suite modes), so the test can stop and restart it.
describe(HealthController.name, () => {
  let dir: string;
  let dbPort: number;
  let db: EmbeddedPostgres | undefined;
  let app: NestExpressApplication;
  let url: string;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'mana-outage-'));
    dbPort = await freePort();
    db = await EmbeddedPostgres.start(join(dir, 'pgdata'), dbPort);
    const port = await freePort();
    const config = loadConfig({ ...process.env, PORT: String(port), HOST: '127.0.0.1', DATA_DIR: dir });
    app = await createApp(config, { url: db.url, embedded: true });
    await app.listen(port, '127.0.0.1');
    url = `http://127.0.0.1:${port}`;
  }, 120_000);

  afterAll(async () => {
    await app?.close();
    await db?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('should report 503 while the database is down and recover by itself when it is back', async () => {
    const email = uniqueEmail('outage');
    const reg = await http(url, 'POST', '/api/v1/auth/register', {
      body: { email, password: TEST_PASSWORD },
    });
    expect(reg.status).toBe(201);
    expect((await http(url, 'GET', '/health/ready')).status).toBe(200);

    await db!.stop();
    db = undefined;

    const down = await waitFor(
      'readiness to answer 503',
      async () => {
        const res = await http(url, 'GET', '/health/ready');
        return res.status === 503 && res;
      },
      10_000,
      200,
    );
    expect(down.status).toBe(503);
    expect(down.body).toMatchObject({ statusCode: 503, requestId: expect.any(String) });

    // the process is alive and everything that does not need the database still answers
    expect((await http(url, 'GET', '/health')).status).toBe(200);
    expect((await http(url, 'GET', '/api/v1/auth/jwks')).status).toBe(200);
    expect((await http(url, 'GET', '/metrics')).status).toBe(200);
    const login = await http(url, 'POST', '/api/v1/auth/login', { body: { email, password: TEST_PASSWORD } });
    expect(login.status).toBe(503);
    expect(login.body).toMatchObject({ statusCode: 503, requestId: expect.any(String) });
    expect(login.body.message).toMatch(/database is unavailable/i);
    // an authenticated route: the user lookup fails for lack of a database, which is not a token problem
    const me = await http(url, 'GET', '/api/v1/auth/me', { token: reg.body.accessToken });
    expect(me.status).toBe(503);
    expect(login.text).not.toMatch(/ECONNREFUSED|127\.0\.0\.1|QueryFailedError/);
    // a second failing probe does not wedge anything either
    expect((await http(url, 'GET', '/health/ready')).status).toBe(503);

    db = await EmbeddedPostgres.start(join(dir, 'pgdata'), dbPort);

    const up = await waitFor(
      'readiness to answer 200 again',
      async () => {
        // while the database restarts a pooled connection may be reset: not ready yet, ask again
        const res = await http(url, 'GET', '/health/ready').catch(() => undefined);
        return res?.status === 200 && res;
      },
      10_000,
      200,
    );
    expect(up.status).toBe(200);
    // and the data written before the outage is still there
    const again = await http(url, 'POST', '/api/v1/auth/login', { body: { email, password: TEST_PASSWORD } });
    expect(again.status).toBe(200);
  }, 120_000);
});
