import { accessSync, constants } from 'node:fs';

const DEBIAN_CHROMIUM = '/usr/bin/chromium';

/**
 * The Chromium the browser test drives, first found of:
 * - `CHROMIUM_PATH`;
 * - Debian's `/usr/bin/chromium` (what .ci/run installs);
 * - the Chromium build inside the `@sparticuz/chromium` dev dependency, unpacked into the temp dir
 *   on first use, so `npm ci && npm test` needs nothing installed by hand.
 */
export async function chromiumExecutable(): Promise<string> {
  const given = process.env.CHROMIUM_PATH;
  if (given) return given;
  if (isExecutable(DEBIAN_CHROMIUM)) return DEBIAN_CHROMIUM;
  const { default: bundled } = await import('@sparticuz/chromium');
  return bundled.executablePath();
}

function isExecutable(path: string): boolean {
  try {
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}
