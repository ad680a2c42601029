import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawnWatched } from './server-process.js';
import type { WatchedProcess } from './server-process.js';
import type { TestApp } from './test-app.js';

/**
 * `npm run runner:remote -- --api=<api> …args` as the compiled script of this test run's build, with
 * the service key and persona seed secret of the server `t` and a data directory of its own; `env`
 * adds the brain and runner settings. `api` defaults to `t`'s address (a test may put a proxy between).
 */
export function startRemoteRunner(
  t: TestApp,
  args: string[],
  env: Record<string, string>,
  api = t.url,
): WatchedProcess {
  return spawnWatched('scripts/runner-remote.js', [`--api=${api}`, ...args], {
    PATH: process.env.PATH ?? '/usr/bin:/bin',
    HOME: process.env.HOME ?? tmpdir(),
    NODE_ENV: 'test',
    DATA_DIR: mkdtempSync(join(tmpdir(), 'mana-remote-')),
    LOG_LEVEL: 'warn',
    MANA_SERVICE_KEY: t.config.serviceKey,
    PERSONA_SEED_SECRET: t.config.personaSeedSecret,
    ...env,
  });
}

/** The remote runner's exit, or a failure naming its output when it has not exited within `withinMs`. */
export async function exitWithin(
  c: WatchedProcess,
  withinMs: number,
): Promise<{ code: number | null; signal: NodeJS.Signals | null }> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => reject(new Error(`runner:remote did not exit; output:\n${c.output()}`)),
      withinMs,
    );
  });
  try {
    return await Promise.race([c.exited, late]);
  } finally {
    clearTimeout(timer);
  }
}
