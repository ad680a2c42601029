import { chmodSync, mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';

/** The file under DATA_DIR that keeps the first admin's credentials after the boot output scrolled by. */
export const FIRST_ADMIN_FILE = 'first-admin.txt';

/**
 * Writes the first admin's credentials to `<dataDir>/first-admin.txt`, readable by the owner only
 * (0600, also when an earlier file had looser permissions), and answers its absolute path. The
 * development secrets live in the same directory with the same mode.
 */
export function writeFirstAdminFile(dataDir: string, email: string, password: string): string {
  const path = resolve(join(dataDir, FIRST_ADMIN_FILE));
  mkdirSync(dataDir, { recursive: true });
  const text = [
    `# Mana Personas: the first admin, created ${new Date().toISOString()}.`,
    '# Sign in at /admin, store the password somewhere safe, then delete this file.',
    `email: ${email}`,
    `password: ${password}`,
    '',
  ].join('\n');
  writeFileSync(path, text, { mode: 0o600 });
  chmodSync(path, 0o600);
  return path;
}
