import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { AdminBootstrapService } from '../../src/auth/users/admin-bootstrap.service.js';
import { EmbeddedDatabaseLock } from '../../src/database/embedded-lock.js';
import { bootTestApp, embeddedDb, freePort } from '../support/test-app.js';
import { http } from '../support/http.js';
import { TEST_PASSWORD, registerUser, uniqueEmail } from '../support/factories.js';
import { createPersona } from '../support/personas.js';
import { GENERATED, adminCreate, tempDirs } from './admin-create-support.js';

describe(AdminBootstrapService.name, () => {
  const tmp = tempDirs();

  describe('admin:create usage', () => {
    it('should exit 2 with the usage for missing, invalid or unknown arguments and a weak password', async () => {
      const env = { DATA_DIR: tmp() };
      const [none, bad, unknown, weak, positional] = await Promise.all([
        adminCreate([], env),
        adminCreate(['--email', 'not-an-email'], env),
        adminCreate(['--email', 'a@example.com', '--role', 'admin'], env),
        adminCreate(['--email', 'a@example.com', '--password', 'short'], env),
        adminCreate(['a@example.com'], env),
      ]);
      for (const run of [none, bad, unknown, weak, positional]) {
        expect(run.code).toBe(2);
        expect(run.stderr).toContain(
          'Usage: npm run admin:create -- --email <email> [--password <password>]',
        );
        expect(run.stdout).toBe('');
      }
      expect(none.stderr).toContain('--email is required');
      expect(bad.stderr).toContain('--email "not-an-email" is not an email address');
      expect(unknown.stderr).toMatch(/Unknown option '--role'/);
      expect(weak.stderr).toContain('--password is too weak: password must be at least 10 characters');
      // nothing was opened: no database and no lock in the data directory
      expect(existsSync(join(env.DATA_DIR, 'pgdata'))).toBe(false);
      expect(existsSync(EmbeddedDatabaseLock.file(env.DATA_DIR))).toBe(false);
    });
  });

  it('should fail with a clear message when DATABASE_URL cannot be reached', async () => {
    const port = await freePort();
    const run = await adminCreate(['--email', uniqueEmail('nowhere')], {
      DATABASE_URL: `postgres://postgres@127.0.0.1:${port}/nothing`,
      DATA_DIR: tmp(),
    });
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/admin:create: Could not prepare the database: .*ECONNREFUSED/);
  });

  // The CLI treats DATABASE_URL as a full PostgreSQL server (a pool of ten, and a second session
  // for the migration lock). The embedded suite database takes one connection only, so this block
  // runs when the suite runs on real PostgreSQL (CI sets DATABASE_URL); in embedded mode the same
  // code path (migrations, ensureAdmin, output) is covered by the DATA_DIR tests above.
  if (!embeddedDb())
    describe('admin:create against DATABASE_URL', () => {
      const env = () => ({ DATABASE_URL: process.env.DATABASE_URL!, DATA_DIR: tmp(), NODE_ENV: 'test' });

      it('should create an admin who can log in with the given password', async () => {
        const email = uniqueEmail('ops');
        const run = await adminCreate(['--email', email, '--password', 'Corr3ct-Horse-Battery'], env());
        expect(run.stderr).toBe('');
        expect(run.code).toBe(0);
        expect(run.stdout).toBe(`Admin ${email} created.\n`);

        const t = await bootTestApp();
        try {
          const login = await http(t.url, 'POST', '/api/v1/auth/login', {
            body: { email, password: 'Corr3ct-Horse-Battery' },
          });
          expect(login.status).toBe(200);
          expect(login.body.user.role).toBe('admin');
        } finally {
          await t.close();
        }
      });

      it('should promote an existing human and refuse a persona account', async () => {
        const t = await bootTestApp();
        let human: { email: string; id: string };
        let personaEmail: string;
        let personaPassword: string;
        try {
          human = await registerUser(t);
          // its password is the derived one (the server refuses any other)
          ({ email: personaEmail, password: personaPassword } = await createPersona(t));
        } finally {
          await t.close();
        }

        const promoted = await adminCreate(['--email', human.email], env());
        expect(promoted.code).toBe(0);
        expect(promoted.stdout).toContain(`${human.email} already existed; it is an admin now.`);
        expect(promoted.stdout).not.toMatch(GENERATED);

        const refused = await adminCreate(['--email', personaEmail], env());
        expect(refused.code).toBe(1);
        expect(refused.stderr).toContain(`${personaEmail} is a persona account; it cannot be an admin`);

        const t2 = await bootTestApp();
        try {
          const login = await http(t2.url, 'POST', '/api/v1/auth/login', {
            body: { email: human.email, password: TEST_PASSWORD },
          });
          expect(login.body.user.role).toBe('admin');
          const persona = await http(t2.url, 'POST', '/api/v1/auth/login', {
            body: { email: personaEmail, password: personaPassword },
          });
          expect(persona.body.user).toMatchObject({ kind: 'persona', role: 'user' });
        } finally {
          await t2.close();
        }
      });
    });
});
