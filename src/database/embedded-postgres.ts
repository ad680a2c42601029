import { mkdirSync } from 'node:fs';
import { resolve } from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import { PGLiteSocketServer } from '@electric-sql/pglite-socket';
import { PgliteTemplate } from './pglite-template.js';

/**
 * A real PostgreSQL (PGlite, compiled to WebAssembly) served on a loopback port, so `npm start`
 * needs no database server. One connection at a time: PGlite is single-session, and the pool that
 * talks to it is sized 1 (see data-source.options.ts).
 */
export class EmbeddedPostgres {
  private constructor(
    private readonly db: PGlite,
    private readonly server: PGLiteSocketServer,
    readonly url: string,
  ) {}

  /** dataDir undefined keeps everything in memory (tests); otherwise data survives restarts. */
  static async start(dataDir?: string, port = 0): Promise<EmbeddedPostgres> {
    let db: PGlite;
    if (dataDir) {
      const dir = resolve(dataDir);
      // a new data directory starts as a copy of the install's initialised template, if there is one
      if (!new PgliteTemplate().seed(dir)) mkdirSync(dir, { recursive: true });
      db = await PGlite.create(dir);
    } else {
      db = await PGlite.create();
    }
    const server = new PGLiteSocketServer({ db, host: '127.0.0.1', port, maxConnections: 1 });
    await server.start();
    const [, boundPort] = server.getServerConn().split(':');
    return new EmbeddedPostgres(db, server, `postgres://postgres:postgres@127.0.0.1:${boundPort}/postgres`);
  }

  async stop(): Promise<void> {
    await this.server.stop();
    await this.db.close();
  }
}
