import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

/** What ensure-build prints (on stderr) when, and only when, it compiles. */
const BUILDING = /building dist\/|sources changed/;
/** A CLI that rebuilt would have taken a build's time (15 s and more here); running one takes about one. */
const QUICK_MS = 10_000;

/** The inputs of a build and what the commands read, copied; node_modules linked, not copied. */
const COPIED = [
  'src',
  'migrations',
  'scripts',
  'bench',
  'test',
  'catalog',
  'ormconfig.ts',
  'tsconfig.json',
  'tsconfig.build.json',
  'nest-cli.json',
  'package.json',
  'package-lock.json',
];

interface Run {
  status: number | null;
  output: string;
  ms: number;
}

/** Runs a command in `cwd` as a person at the shell would (no jest VM flags inherited). */
function run(cwd: string, command: string, args: string[]): Run {
  const env = { ...process.env };
  delete env.NODE_OPTIONS;
  const began = Date.now();
  const result = spawnSync(command, args, { cwd, env, encoding: 'utf8', timeout: 240_000 });
  return { status: result.status, output: `${result.stdout}${result.stderr}`, ms: Date.now() - began };
}

/**
 * The build the commands share (scripts/ensure-build.mjs): `npm run build` leaves the fingerprint
 * `npm start` checks, and a CLI run right after it neither rebuilds nor invalidates it. Runs in a
 * copy of the project, so the real dist/ (which other runs may be using) is never touched and an
 * edit made meanwhile cannot cause a rebuild.
 */
describe('scripts/ensure-build.mjs (one build for npm start and the CLIs)', () => {
  let copy: string;

  beforeAll(() => {
    copy = mkdtempSync(join(tmpdir(), 'mana-ensure-build-'));
    for (const item of COPIED) {
      cpSync(resolve(item), join(copy, item), {
        recursive: true,
        preserveTimestamps: true,
        filter: (source) => !source.includes(`${join('test', 'artifacts')}`),
      });
    }
    symlinkSync(resolve('node_modules'), join(copy, 'node_modules'), 'dir');
  });
  afterAll(() => {
    if (copy) rmSync(copy, { recursive: true, force: true });
  });

  it('should not rebuild for a CLI right after npm run build, nor for npm start after that', () => {
    const build = run(copy, 'npm', ['run', 'build']);
    expect({ status: build.status, building: BUILDING.test(build.output) }).toEqual({
      status: 0,
      building: true,
    });
    const stamp = join(copy, 'dist', '.build-fingerprint');
    expect(existsSync(stamp)).toBe(true);
    const fingerprint = readFileSync(stamp, 'utf8');
    process.stdout.write(`npm run build: ${build.ms} ms\n`);

    const seed = run(copy, 'npm', ['run', 'seed:personas', '--', '--dry-run']);
    expect(seed.status).toBe(0);
    expect(seed.output).toContain('dry run: nothing is sent');
    expect(seed.output).not.toMatch(BUILDING);
    expect(seed.ms).toBeLessThan(QUICK_MS);
    process.stdout.write(`npm run seed:personas -- --dry-run: ${seed.ms} ms\n`);

    // what `npm start` runs before node dist/src/main.js
    const start = run(copy, process.execPath, ['scripts/ensure-build.mjs']);
    expect(start.status).toBe(0);
    expect(start.output).not.toMatch(BUILDING);
    expect(start.ms).toBeLessThan(QUICK_MS);
    expect(readFileSync(stamp, 'utf8')).toBe(fingerprint);
  }, 300_000);
});
