import { spawn, spawnSync } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { builtFile, freePort } from '../support/test-app.js';
import { waitFor } from '../support/wait-for.js';

/** util-linux `script` gives the server a real pseudo-terminal (no native module needed). */
const hasScript = spawnSync('script', ['--version']).status === 0;

/** Generous on a loaded CI box; a quiet machine gets there in about five seconds. */
const BOOT_DEADLINE_MS = Number(process.env.TEST_BOOT_DEADLINE_MS ?? 45_000);

const ADMIN_LINE = /first admin created \(shown once\): (\S+) \/ (\S+)/;
const RUNNER_LINE = /\[RunnerScheduler\]|"context":"RunnerScheduler"/;
const SEEDED_LINE = /persona catalog seeded/;
/** The result of the runner's first firing: the demo's first ticks, a few seconds after the boot. */
const FIRST_TICKS_LINE = /runner: \d+ ticks? \(/;
/** The window the password must still be on screen in: the first ten seconds of output. */
const FIRST_OUTPUT_MS = 10_000;

// eslint-disable-next-line no-control-regex -- ANSI colour codes are what is stripped
const plain = (s: string) => s.replace(/\x1b\[[0-9;]*m/g, '').replace(/\r\n/g, '\n');

/** Every process below `pid` (the shell `script` starts, the server), read from /proc. */
function descendants(pid: number): number[] {
  let children: number[];
  try {
    children = readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8')
      .split(' ')
      .filter(Boolean)
      .map(Number);
  } catch {
    return []; // already gone
  }
  return children.flatMap((child) => [child, ...descendants(child)]);
}

function signal(pids: number[], name: NodeJS.Signals): void {
  for (const pid of pids) {
    try {
      process.kill(pid, name);
    } catch {
      // already gone
    }
  }
}

/** Stops the server the way Ctrl-C's neighbour SIGTERM does, then makes sure nothing is left running. */
async function stop(script: ChildProcess, exited: Promise<void>): Promise<void> {
  if (script.exitCode !== null || script.signalCode !== null) return;
  signal(descendants(script.pid!), 'SIGTERM');
  const gone = await Promise.race([
    exited.then(() => true),
    new Promise<boolean>((resolve) => setTimeout(() => resolve(false), 20_000).unref()),
  ]);
  if (!gone) {
    signal([...descendants(script.pid!), script.pid!], 'SIGKILL');
    await exited;
  }
}

interface Boot {
  /** What the terminal showed, ANSI colours removed, up to the moment the server was stopped. */
  lines: string[];
  dataDir: string;
}

/**
 * A newcomer's first `npm start`: the compiled server on a pseudo-terminal, with no database, no
 * secrets and every default (development, embedded Postgres, the demo runner). Collects the output
 * until the runner's first line and the first admin's password are out (the whole boot sequence)
 * and then the first ticks' result line or the end of the first ten seconds, whichever comes first
 * (what a newcomer sees before looking away), then stops the server with SIGTERM, whatever happened.
 */
async function bootOnTerminal(env: Record<string, string> = {}): Promise<Boot> {
  const dataDir = mkdtempSync(join(tmpdir(), 'mana-boot-'));
  const script = spawn('script', ['-qfc', `${process.execPath} ${builtFile('src/main.js')}`, '/dev/null'], {
    env: {
      PATH: process.env.PATH ?? '/usr/bin:/bin',
      HOME: process.env.HOME ?? tmpdir(),
      PORT: String(await freePort()),
      DATA_DIR: dataDir,
      // only the shutdown is hurried along: the demo's first ticks are still running when it comes
      RUNNER_SHUTDOWN_GRACE_MS: '1000',
      ...env,
    },
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  let out = '';
  script.stdout!.on('data', (chunk: Buffer) => (out += chunk.toString()));
  script.stderr!.on('data', (chunk: Buffer) => (out += chunk.toString()));
  const exited = new Promise<void>((resolve) => script.once('exit', () => resolve()));
  const spawnedAt = Date.now();
  let seen = '';
  try {
    await waitFor(
      "the runner's first line and the first admin's password",
      async () => {
        const text = plain(out);
        const settled = FIRST_TICKS_LINE.test(text) || Date.now() - spawnedAt >= FIRST_OUTPUT_MS;
        if (RUNNER_LINE.test(text) && ADMIN_LINE.test(text) && settled) return (seen = text);
        if (script.exitCode !== null) throw new Error(`the server exited during the boot:\n${text}`);
        return undefined;
      },
      BOOT_DEADLINE_MS,
    ).catch((error: Error) => {
      throw new Error(`${error.message}; output so far:\n${plain(out)}`);
    });
  } finally {
    await stop(script, exited);
  }
  return { lines: seen.split('\n'), dataDir };
}

const indexOf = (lines: string[], pattern: RegExp) => lines.findIndex((line) => pattern.test(line));

describe('main (boot output on a terminal)', () => {
  const dataDirs: string[] = [];
  afterAll(() => {
    for (const dir of dataDirs) rmSync(dir, { recursive: true, force: true });
  });

  (hasScript ? it : it.skip)(
    'should end the readable boot with the first admin and save it to first-admin.txt (0600)',
    async () => {
      const { lines, dataDir } = await bootOnTerminal();
      dataDirs.push(dataDir);
      const text = lines.join('\n');
      const admin = indexOf(lines, ADMIN_LINE);
      const runner = indexOf(lines, RUNNER_LINE);
      const seeded = indexOf(lines, SEEDED_LINE);

      // the boot sequence: … seeding, the runner's first line, and the password last
      expect(seeded).toBeGreaterThanOrEqual(0);
      expect(runner).toBeGreaterThan(seeded);
      expect(admin).toBeGreaterThan(runner);
      const after = lines.slice(admin + 1).filter((line) => line.trim() !== '');
      // still on screen: only its own note and frame, and perhaps the first ticks' line, come after it
      expect(after.length).toBeLessThanOrEqual(3);
      expect(runner).toBeLessThan(30);
      expect(text).not.toMatch(/\[(InstanceLoader|RoutesResolver|RouterExplorer|NestApplication)\]/);

      const [, email, password] = ADMIN_LINE.exec(text)!;
      expect(email).toBe('admin@mana.local');
      expect(text.split(password).length - 1).toBe(1); // shown once
      const file = join(dataDir, 'first-admin.txt');
      expect(text).toContain(file); // the banner and the block say where it is
      expect(statSync(file).mode & 0o777).toBe(0o600);
      const saved = readFileSync(file, 'utf8');
      expect(saved).toContain(`email: ${email}\n`);
      expect(saved).toContain(`password: ${password}\n`);
    },
    BOOT_DEADLINE_MS + 60_000,
  );

  (hasScript ? it : it.skip)(
    'should boot in under 40 lines of JSON format and never put the password in a log line',
    async () => {
      const { lines, dataDir } = await bootOnTerminal({ LOG_FORMAT: 'json' });
      dataDirs.push(dataDir);
      const text = lines.join('\n');
      const admin = indexOf(lines, ADMIN_LINE);
      expect(admin).toBeGreaterThan(indexOf(lines, RUNNER_LINE));
      expect(lines.length).toBeLessThan(40);

      const [, , password] = ADMIN_LINE.exec(text)!;
      const json = lines.filter((line) => line.startsWith('{'));
      expect(json.length).toBeGreaterThan(0);
      for (const line of json) {
        expect(() => JSON.parse(line) as unknown).not.toThrow();
        expect(line).not.toContain(password);
      }
      expect(text.split(password).length - 1).toBe(1);
      expect(existsSync(join(dataDir, 'first-admin.txt'))).toBe(true);
    },
    BOOT_DEADLINE_MS + 60_000,
  );
});
