import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EmbeddedDatabaseLock } from '../../src/database/embedded-lock.js';
import { builtFile, freePort } from '../support/test-app.js';
import { http } from '../support/http.js';
import { TEST_PASSWORD, uniqueEmail } from '../support/factories.js';

/** Generous on a loaded CI box; a quiet machine boots in a few seconds (the test prints how long). */
const READY_WITHIN_MS = Number(process.env.TEST_BOOT_DEADLINE_MS ?? 45_000);

interface Server {
  child: ChildProcess;
  url: string;
  output: () => string;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

function start(dataDir: string, port: number): Server {
  // no DATABASE_URL, no secrets, no NODE_ENV: exactly what a first `npm start` sees
  const env = {
    PATH: process.env.PATH ?? '/usr/bin:/bin',
    HOME: process.env.HOME ?? tmpdir(),
    PORT: String(port),
    DATA_DIR: dataDir,
    LOG_LEVEL: 'warn',
    RUNNER_ENABLED: 'false',
  };
  const child = spawn(process.execPath, [builtFile('src/main.js')], {
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (out += d.toString()));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once('exit', (code, signal) => resolve({ code, signal })),
  );
  return { child, url: `http://127.0.0.1:${port}`, output: () => out, exited };
}

/** Polls /health/ready until 200; returns the milliseconds it took. */
async function waitReady(server: Server): Promise<number> {
  const began = Date.now();
  let exitedEarly = false;
  void server.exited.then(() => (exitedEarly = true));
  while (Date.now() - began < READY_WITHIN_MS && !exitedEarly) {
    const res = await fetch(`${server.url}/health/ready`).catch(() => undefined);
    if (res?.status === 200) return Date.now() - began;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`server not ready after ${Date.now() - began} ms; output:\n${server.output()}`);
}

async function stop(server: Server): Promise<{ code: number | null; signal: NodeJS.Signals | null }> {
  server.child.kill('SIGTERM');
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no exit after SIGTERM; output:\n${server.output()}`)), 15_000);
  });
  try {
    return await Promise.race([server.exited, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

const ADMIN_LINE = /first admin created \(shown once\): (\S+) \/ (\S+)/;

describe('main (zero-config boot)', () => {
  let dataDir: string;
  const started: Server[] = [];

  beforeAll(() => {
    dataDir = mkdtempSync(join(tmpdir(), 'mana-zero-'));
  });
  afterAll(async () => {
    for (const s of started)
      if (s.child.exitCode === null && s.child.signalCode === null) s.child.kill('SIGKILL');
    rmSync(dataDir, { recursive: true, force: true });
  });

  it(
    'should boot with no config, print the first admin once, keep data across restarts and stop cleanly',
    async () => {
      // first boot: embedded database created under DATA_DIR, development secrets generated
      const first = start(dataDir, await freePort());
      started.push(first);
      const firstMs = await waitReady(first);
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

      const firstExit = await stop(first);
      expect(firstExit).toEqual({ code: 0, signal: null });
      expect(existsSync(EmbeddedDatabaseLock.file(dataDir))).toBe(false);

      // second boot on the same DATA_DIR: same data, same keys, no new admin
      const second = start(dataDir, await freePort());
      started.push(second);
      const secondMs = await waitReady(second);
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

      const secondExit = await stop(second);
      expect(secondExit).toEqual({ code: 0, signal: null });
      expect(existsSync(EmbeddedDatabaseLock.file(dataDir))).toBe(false);
    },
    4 * READY_WITHIN_MS,
  );
});
