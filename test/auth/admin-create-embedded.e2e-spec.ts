import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { createApp } from '../../src/app.factory.js';
import { AdminBootstrapService } from '../../src/auth/users/admin-bootstrap.service.js';
import { loadConfig } from '../../src/config/app-config.js';
import { EmbeddedDatabaseLock } from '../../src/database/embedded-lock.js';
import { EmbeddedPostgres } from '../../src/database/embedded-postgres.js';
import { freePort } from '../support/test-app.js';
import { http } from '../support/http.js';
import { uniqueEmail } from '../support/factories.js';
import { GENERATED, SLOW_MS, adminCreate, tempDirs } from './admin-create-support.js';

// a file of its own: each test makes a new embedded database (slow), so it runs beside the rest
describe(`${AdminBootstrapService.name}: admin:create`, () => {
  const tmp = tempDirs();

  describe('admin:create against the embedded database (no DATABASE_URL)', () => {
    it('should say clearly that a running server holds the database, and change nothing', async () => {
      const dataDir = tmp();
      // this test process plays the running server
      const lock = EmbeddedDatabaseLock.acquire(dataDir);
      lock.update(4321);
      try {
        const run = await adminCreate(['--email', uniqueEmail('cli')], { DATA_DIR: dataDir });
        expect(run.code).toBe(1);
        expect(run.stderr).toContain(`in use by a running server (pid ${process.pid}, port 4321)`);
        expect(run.stderr).toContain('stop the server');
        expect(run.stderr).toContain('ADMIN_EMAIL and ADMIN_PASSWORD');
        expect(run.stderr).not.toMatch(/\n\s+at /); // a message, not a stack trace
        expect(existsSync(join(dataDir, 'pgdata'))).toBe(false);
        expect(EmbeddedDatabaseLock.holder(dataDir)?.pid).toBe(process.pid);
      } finally {
        lock.release();
      }
    });

    it(
      'should create the admin with a generated password, be idempotent, and leave a usable database',
      async () => {
        const dataDir = tmp();
        const email = uniqueEmail('chief');
        const first = await adminCreate(['--email', email.toUpperCase()], { DATA_DIR: dataDir });
        expect(first.stderr).toBe('');
        expect(first.code).toBe(0);
        expect(first.stdout).toContain(`Admin ${email} created.`);
        const password = GENERATED.exec(first.stdout)?.[1];
        expect(password).toBeDefined();
        expect(password!.length).toBeGreaterThanOrEqual(20);
        expect(existsSync(EmbeddedDatabaseLock.file(dataDir))).toBe(false);

        const second = await adminCreate(['--email', email, '--password', 'Another-Passw0rd!'], {
          DATA_DIR: dataDir,
        });
        expect(second.code).toBe(0);
        expect(second.stdout).toContain(
          `${email} already existed; it is an admin now. Its password was not changed.`,
        );
        expect(second.stdout).not.toMatch(GENERATED);

        // open the same data directory the way the server does and log in with the printed password
        const db = await EmbeddedPostgres.start(join(dataDir, 'pgdata'));
        const port = await freePort();
        const app = await createApp(
          loadConfig({ ...process.env, PORT: String(port), HOST: '127.0.0.1', DATA_DIR: dataDir }),
          { url: db.url, embedded: true },
        );
        try {
          await app.listen(port, '127.0.0.1');
          const url = `http://127.0.0.1:${port}`;
          const login = await http(url, 'POST', '/api/v1/auth/login', { body: { email, password } });
          expect(login.status).toBe(200);
          expect(login.body.user).toMatchObject({ email, role: 'admin', kind: 'human' });
          const spaces = await http(url, 'GET', '/api/v1/spaces', { token: login.body.accessToken });
          expect(spaces.body.items).toEqual([expect.objectContaining({ type: 'personal', role: 'owner' })]);
          const me = await http(url, 'GET', '/api/v1/auth/me', { token: login.body.accessToken });
          expect(me.body.emailVerified).toBe(true);
        } finally {
          await app.close();
          await db.stop();
        }
      },
      SLOW_MS,
    );
  });
});
