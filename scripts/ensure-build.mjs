/* global process, console, URL */
/**
 * Builds dist/ once, and again only when the sources changed, so `npm start` and every CLI script
 * (`npm run admin:create`, `seed:personas`, `bench:*`, `migration:*`, …) run the compiled file
 * straight away instead of compiling on every run (`nest build` took ~11 s here).
 * `npm ci` / `npm install` run it as `prepare` (with --from-install: a failed build is a warning
 * there, never a failed install); `npm run build` runs it with --force (build even when nothing
 * changed); the others run it before their `node dist/…`.
 *
 * "Changed" means the fingerprint (path, size, mtime of every input) differs from the one written
 * next to the last successful build (dist/.build-fingerprint). Nothing else writes or removes that
 * file: nest-cli.json keeps `deleteOutDir: false`, so a `nest build` or `nest start --watch` by hand
 * leaves it in place (their output is the same compile; a stale stamp only costs one rebuild), and
 * outputs whose source is gone are removed here after a build instead (pruneStale).
 */
import { createHash } from 'node:crypto';
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const fromInstall = process.argv.includes('--from-install');
const force = process.argv.includes('--force');
const dist = join(root, 'dist');
const stampFile = join(dist, '.build-fingerprint');
const entry = join(dist, 'src', 'main.js');
const nestCli = join(root, 'node_modules', '@nestjs', 'cli', 'bin', 'nest.js');
const INPUT_DIRS = ['src', 'migrations', 'scripts', 'bench'];
const INPUT_FILES = [
  'ormconfig.ts',
  'tsconfig.json',
  'tsconfig.build.json',
  'nest-cli.json',
  'package-lock.json',
];

function walk(dir, out) {
  for (const item of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, item.name);
    if (item.isDirectory()) {
      if (item.name !== 'results' && item.name !== 'node_modules') walk(path, out);
    } else if (item.isFile()) out.push(path);
  }
}

function fingerprint() {
  const files = [];
  for (const dir of INPUT_DIRS) if (existsSync(join(root, dir))) walk(join(root, dir), files);
  for (const file of INPUT_FILES) if (existsSync(join(root, file))) files.push(join(root, file));
  const hash = createHash('sha256');
  for (const file of files.sort()) {
    const s = statSync(file);
    hash.update(`${relative(root, file)}\0${s.size}\0${s.mtimeMs}\n`);
  }
  return hash.digest('hex');
}

/**
 * Removes what an earlier build left in dist/ for a source that is gone (a renamed or deleted file):
 * `x.js` and `x.js.map` stay while `x.ts` (or a copied asset `x.js`) exists, any other file while
 * the same path exists outside dist/.
 */
function pruneStale() {
  const outputs = [];
  walk(dist, outputs);
  for (const file of outputs) {
    const path = relative(dist, file);
    if (path === '.build-fingerprint') continue;
    const output = path.endsWith('.js.map') ? path.slice(0, -'.map'.length) : path;
    const sources = output.endsWith('.js') ? [output, `${output.slice(0, -'.js'.length)}.ts`] : [output];
    if (!sources.some((source) => existsSync(join(root, source)))) rmSync(file);
  }
}

function main() {
  if (!existsSync(join(root, 'src'))) return 0; // e.g. `npm ci` in a Docker layer before the sources
  const current = fingerprint();
  const built = existsSync(stampFile) ? readFileSync(stampFile, 'utf8').trim() : '';
  if (!force && built === current && existsSync(entry)) return 0;
  if (!existsSync(nestCli)) {
    if (!force && existsSync(entry)) return 0; // a production install without dev tools runs what it has
    console.error('@nestjs/cli is not installed: run `npm ci` first');
    return 1;
  }
  console.error(
    force ? 'building dist/ …' : built ? 'sources changed: building dist/ …' : 'building dist/ (once) …',
  );
  const started = Date.now();
  const result = spawnSync(process.execPath, [nestCli, 'build'], { cwd: root, stdio: 'inherit' });
  if (result.status !== 0) {
    console.error(`the build failed${fromInstall ? ' (npm start will try again)' : ''}`);
    return fromInstall ? 0 : 1;
  }
  pruneStale();
  writeFileSync(stampFile, `${current}\n`);
  console.error(`built in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  return 0;
}

/**
 * Then the embedded database's template (an initialised PGlite data directory) so that a first
 * start copies it instead of running initdb; a failure here only costs that first start time.
 */
async function ensureTemplate() {
  const module = join(root, 'dist', 'src', 'database', 'pglite-template.js');
  if (!existsSync(module)) return;
  try {
    const { PgliteTemplate } = await import(pathToFileURL(module).href);
    await new PgliteTemplate().ensure();
  } catch (error) {
    console.error(
      `could not prepare the embedded database template (${error?.message ?? error}); a first start will initialise it`,
    );
  }
}

const status = main();
if (status === 0) await ensureTemplate();
process.exit(status);
