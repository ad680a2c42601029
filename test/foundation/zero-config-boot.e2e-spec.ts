import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EmbeddedDatabaseLock } from '../../src/database/embedded-lock.js';
import { freePort } from '../support/test-app.js';
import { killAll, spawnServer, stopServer, waitReady } from '../support/server-process.js';
import type { ServerProcess } from '../support/server-process.js';
import { http } from '../support/http.js';
import { TEST_PASSWORD, uniqueEmail } from '../support/factories.js';

/** Generous on a loaded CI box; a quiet machine boots in a few seconds (the test prints how long). */
const READY_WITHIN_MS = Number(process.env.TEST_BOOT_DEADLINE_MS ?? 45_000);

/** No DATABASE_URL, no secrets, no NODE_ENV, no HOST: exactly what a first `npm start` sees. */
function start(dataDir: string, port: number): ServerProcess {
  return spawnServer({ DATA_DIR: dataDir, LOG_LEVEL: 'warn', RUNNER_ENABLED: 'false' }, port);
}

const ADMIN_LINE = /first admin created \(shown once\): (\S+) \/ (\S+)/;

describe('main (zero-config boot)', () => {
  let dataDir: string;
  const started: ServerProcess[] = [];

  beforeAll(() => {
    dataDir = mkdtempSync(join(tmpdir(), 'mana-zero-'));
  });
  afterAll(async () => {
    killAll(started);
    rmSync(dataDir, { recursive: true, force: true });
  });

  it(
    'should boot with no config, print the first admin once, keep data across restarts and stop cleanly',
    async () => {
      // first boot: embedded database created under DATA_DIR, development secrets generated
      const first = start(dataDir, await freePort());
      started.push(first);
      const firstMs = await waitReady(first, READY_WITHIN_MS);
      process.stdout.write(`zero-config first boot ready in ${firstMs} ms\n`);
      expect(firstMs).toBeLessThan(READY_WITHIN_MS);

      const banner = ADMIN_LINE.exec(first.output());
      expect(banner).not.toBeNull();
      const [, adminEmail, adminPassword] = banner!;
      expect(adminEmail).toBe('admin@mana.local');
      // shown exactly once: in the banner, never in a log line
      expect(first.output().split(adminPassword).length - 1).toBe(1);

      const adminLogin = await http(first.url, 'POST', '/api/v1/auth/login', {
        body: { email: adminEmail, password: adminPassword },
      });
      expect(adminLogin.status).toBe(200);
      expect(adminLogin.body.user.role).toBe('admin');

      const email = uniqueEmail('survivor');
      const reg = await http(first.url, 'POST', '/api/v1/auth/register', {
        body: { email, password: TEST_PASSWORD },
      });
      expect(reg.status).toBe(201);

      const lock = EmbeddedDatabaseLock.holder(dataDir);
      expect(lock).toEqual({ pid: first.child.pid, port: Number(new URL(first.url).port) });
      expect(existsSync(join(dataDir, 'pgdata'))).toBe(true);
      expect(existsSync(join(dataDir, 'jwt-es256.pem'))).toBe(true);

      // a second server on the same data directory is refused while the first runs
      const intruder = start(dataDir, await freePort());
      started.push(intruder);
      const refused = await intruder.exited;
      expect(refused.code).not.toBe(0);
      expect(intruder.output()).toContain('is in use by another running server');
      expect((await http(first.url, 'GET', '/health/ready')).status).toBe(200);
      // /health says this setup is one instance's: the embedded database and generated secrets
      const health = (await http(first.url, 'GET', '/health')).body as {
        info: { instances: { scope: string; instanceLocal: string[] } };
      };
      expect(health.info.instances.scope).toBe('this-instance-only');
      expect(health.info.instances.instanceLocal.join('\n')).toMatch(
        /embedded database serves this process only/,
      );
      expect(health.info.instances.instanceLocal.join('\n')).toMatch(
        /JWT_PRIVATE_KEY, MANA_SERVICE_KEY, MASTER_KEK generated into DATA_DIR/,
      );

      const firstExit = await stopServer(first, 'SIGTERM', 15_000);
      expect(firstExit).toEqual({ code: 0, signal: null });
      expect(existsSync(EmbeddedDatabaseLock.file(dataDir))).toBe(false);

      // second boot on the same DATA_DIR: same data, same keys, no new admin
      const second = start(dataDir, await freePort());
      started.push(second);
      const secondMs = await waitReady(second, READY_WITHIN_MS);
      process.stdout.write(`zero-config second boot ready in ${secondMs} ms\n`);
      expect(second.output()).not.toMatch(/first admin created/);
      expect(second.output()).not.toContain(adminPassword);

      const again = await http(second.url, 'POST', '/api/v1/auth/login', {
        body: { email, password: TEST_PASSWORD },
      });
      expect(again.status).toBe(200);
      expect(again.body.user.id).toBe(reg.body.user.id);
      // the signing key survived too: a token from the first run still opens /me
      const me = await http(second.url, 'GET', '/api/v1/auth/me', { token: reg.body.accessToken });
      expect(me.status).toBe(200);
      const adminAgain = await http(second.url, 'POST', '/api/v1/auth/login', {
        body: { email: adminEmail, password: adminPassword },
      });
      expect(adminAgain.status).toBe(200);
      expect(JSON.parse(readFileSync(EmbeddedDatabaseLock.file(dataDir), 'utf8')).pid).toBe(second.child.pid);

      const secondExit = await stopServer(second, 'SIGTERM', 15_000);
      expect(secondExit).toEqual({ code: 0, signal: null });
      expect(existsSync(EmbeddedDatabaseLock.file(dataDir))).toBe(false);
    },
    4 * READY_WITHIN_MS,
  );
});
