import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export interface LockInfo {
  pid: number;
  port?: number;
}

/**
 * The embedded database is one process's files: a second process opening them would corrupt them.
 * The server holds this lock file while it runs; the CLIs read it to say clearly what is going on.
 */
export class EmbeddedDatabaseLock {
  private constructor(private readonly path: string) {}

  static file(dataDir: string): string {
    return join(dataDir, 'server.lock');
  }

  /** The running server holding the data directory, if any (a stale lock of a dead process is ignored). */
  static holder(dataDir: string): LockInfo | undefined {
    const path = EmbeddedDatabaseLock.file(dataDir);
    if (!existsSync(path)) return undefined;
    try {
      const info = JSON.parse(readFileSync(path, 'utf8')) as LockInfo;
      process.kill(info.pid, 0);
      return info;
    } catch {
      return undefined;
    }
  }

  static acquire(dataDir: string): EmbeddedDatabaseLock {
    const holder = EmbeddedDatabaseLock.holder(dataDir);
    if (holder && holder.pid !== process.pid) {
      throw new Error(
        `The embedded database in ${dataDir} is in use by another running server (pid ${holder.pid}). ` +
          'Stop it first, or give this one another DATA_DIR or a DATABASE_URL.',
      );
    }
    mkdirSync(dataDir, { recursive: true });
    const lock = new EmbeddedDatabaseLock(EmbeddedDatabaseLock.file(dataDir));
    lock.write({ pid: process.pid });
    return lock;
  }

  update(port: number): void {
    this.write({ pid: process.pid, port });
  }

  private write(info: LockInfo): void {
    writeFileSync(this.path, JSON.stringify(info));
  }

  release(): void {
    rmSync(this.path, { force: true });
  }
}
