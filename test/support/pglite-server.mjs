// One embedded Postgres (PGlite) for one jest worker, in a process of its own so that the workers'
// databases run on all cores. Started by the jest global setup; prints its connection URL as its
// first line, and stops when its stdin closes (the global teardown, or jest dying) or on SIGTERM.
// It starts from a copy of the install's initialised PGlite cluster (node_modules/.cache, made by
// `npm ci`) in memory-backed /dev/shm when there is one: about 2 s instead of 14 s of initdb.
import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import { PGLiteSocketServer } from '@electric-sql/pglite-socket';

const { version } = JSON.parse(readFileSync('node_modules/@electric-sql/pglite/package.json', 'utf8'));
const template = join('node_modules', '.cache', 'mana-personas', `pglite-${version}`);
let dataDir;
let db;
if (existsSync(join(template, 'PG_VERSION'))) {
  dataDir = mkdtempSync(join(existsSync('/dev/shm') ? '/dev/shm' : tmpdir(), 'mana-test-pglite-'));
  cpSync(template, dataDir, { recursive: true });
  db = await PGlite.create(dataDir);
} else {
  db = await PGlite.create();
}
const server = new PGLiteSocketServer({ db, host: '127.0.0.1', port: 0, maxConnections: 1 });
await server.start();
const port = server.getServerConn().split(':')[1];
process.stdout.write(`postgres://postgres:postgres@127.0.0.1:${port}/postgres\n`);

let stopping = false;
async function stop() {
  if (stopping) return;
  stopping = true;
  await server.stop().catch(() => {});
  await db.close().catch(() => {});
  if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  process.exit(0);
}
process.stdin.on('end', stop);
process.stdin.on('error', stop);
process.stdin.resume();
process.once('SIGTERM', stop);
process.once('SIGINT', stop);
