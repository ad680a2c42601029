import { cpSync, existsSync, mkdirSync, readFileSync, readdirSync, renameSync, rmSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { PGlite } from '@electric-sql/pglite';

/**
 * A freshly initialised PGlite data directory, made once per install, that a first start copies
 * instead of running initdb (about 4 s of WebAssembly on this machine). It lives under
 * `node_modules/.cache/mana-personas/`, keyed by the PGlite version, so an upgrade makes a new one;
 * `npm ci` makes it (the `prepare` script, after the build). Without it a start simply initialises
 * the directory itself: the template only saves time, it is never required.
 */
export class PgliteTemplate {
  constructor(private readonly dir: string | null = templateDir()) {}

  /** Whether the template has been made (a cluster is there to copy). */
  get ready(): boolean {
    return this.dir !== null && existsSync(join(this.dir, 'PG_VERSION'));
  }

  /** Copies the template into `dataDir` when that directory is new or empty; false when there is none. */
  seed(dataDir: string): boolean {
    const target = resolve(dataDir);
    if (!this.dir || !this.ready) return false;
    if (existsSync(target) && readdirSync(target).length > 0) return false;
    // copy beside it, then rename into place, so a start cut short never leaves half a cluster
    const staging = `${target}.seeding-${process.pid}`;
    rmSync(staging, { recursive: true, force: true });
    mkdirSync(dirname(target), { recursive: true });
    cpSync(this.dir, staging, { recursive: true });
    rmSync(target, { recursive: true, force: true });
    renameSync(staging, target);
    return true;
  }

  /** Makes the template if it is missing (a clean, closed cluster). Answers its path. */
  async ensure(): Promise<string | null> {
    if (!this.dir) return null;
    if (this.ready) return this.dir;
    const staging = `${this.dir}.making-${process.pid}`;
    rmSync(staging, { recursive: true, force: true });
    mkdirSync(staging, { recursive: true });
    const db = await PGlite.create(staging);
    await db.close();
    if (existsSync(join(this.dir, 'PG_VERSION'))) {
      rmSync(staging, { recursive: true, force: true }); // another install made it meanwhile
    } else {
      rmSync(this.dir, { recursive: true, force: true });
      renameSync(staging, this.dir);
    }
    return this.dir;
  }
}

/** `<package root>/node_modules/.cache/mana-personas/pglite-<version>`, or null outside a package. */
function templateDir(): string | null {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 6; i += 1) {
    const manifest = join(dir, 'node_modules', '@electric-sql', 'pglite', 'package.json');
    if (existsSync(manifest)) {
      const { version } = JSON.parse(readFileSync(manifest, 'utf8')) as { version: string };
      return join(dir, 'node_modules', '.cache', 'mana-personas', `pglite-${version}`);
    }
    dir = dirname(dir);
  }
  return null;
}
