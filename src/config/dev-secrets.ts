import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { join } from 'node:path';

/**
 * Development-only secrets, generated once under the data directory and reused on the next boot so
 * tokens and encrypted rows stay valid across restarts. Production never reaches this class.
 */
export class DevSecrets {
  constructor(private readonly dir: string) {}

  private readOrCreate(file: string, make: () => string): string {
    const path = join(this.dir, file);
    if (existsSync(path)) return readFileSync(path, 'utf8');
    mkdirSync(this.dir, { recursive: true });
    const value = make();
    writeFileSync(path, value, { mode: 0o600 });
    return value;
  }

  jwtPrivateKey(): string {
    return this.readOrCreate('jwt-es256.pem', () =>
      generateKeyPairSync('ec', { namedCurve: 'prime256v1' })
        .privateKey.export({ type: 'pkcs8', format: 'pem' })
        .toString(),
    );
  }

  text(name: string, bytes: number): string {
    return this.readOrCreate(name, () => randomBytes(bytes).toString('base64url'));
  }

  key32(name: string): Buffer {
    return Buffer.from(
      this.readOrCreate(name, () => randomBytes(32).toString('base64')),
      'base64',
    );
  }
}
