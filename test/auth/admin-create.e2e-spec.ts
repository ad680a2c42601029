import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createApp } from '../../src/app.factory.js';
import { AdminBootstrapService } from '../../src/auth/admin-bootstrap.service.js';
import { loadConfig } from '../../src/config/app-config.js';
import { EmbeddedDatabaseLock } from '../../src/database/embedded-lock.js';
import { EmbeddedPostgres } from '../../src/database/embedded-postgres.js';
import { bootTestApp, builtFile, embeddedDb, freePort } from '../support/test-app.js';
import { http } from '../support/http.js';
import { TEST_PASSWORD, registerUser, uniqueEmail } from '../support/factories.js';
import { createPersona } from '../support/personas.js';

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs the compiled CLI with exactly the given environment (plus PATH and HOME). */
function adminCreate(args: string[], env: Record<string, string>): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [builtFile('scripts/admin-create.js'), ...args], {
      env: { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: process.env.HOME ?? tmpdir(), ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.once('error', reject);
    child.once('exit', (code) => resolve({ code, stdout, stderr }));
  });
}

/** A fresh embedded database (initdb in WebAssembly) is slow on a busy machine. */
const SLOW_MS = 180_000;
const GENERATED = /Password \(shown once, store it now\): (\S+)/;

describe(AdminBootstrapService.name, () => {
  const dirs: string[] = [];
  const tmp = () => {
    const dir = mkdtempSync(join(tmpdir(), 'mana-admin-cli-'));
    dirs.push(dir);
    return dir;
  };
  afterAll(() => {
    for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
  });

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
