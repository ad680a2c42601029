import type { DynamicModule, INestApplication, Type } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { createApp } from '../../src/app.factory.js';
import { loadConfig } from '../../src/config/app-config.js';
import type { AppConfig } from '../../src/config/app-config.js';

import { freePort } from '../../src/common/free-port.js';

export { freePort };

export interface TestApp {
  app: INestApplication;
  config: AppConfig;
  url: string;
  port: number;
  dataSource: DataSource;
  close(): Promise<void>;
}

/** True when the suite runs on the embedded (single-connection) Postgres. */
export const embeddedDb = () => process.env.TEST_DB_EMBEDDED === '1';

/**
 * Boots the real AppModule over real HTTP on a free loopback port, against the suite's database.
 * `env` overrides environment variables for this instance only; `options.extraModules` mounts
 * test-only modules (probe controllers) next to the app's own.
 */
export async function bootTestApp(
  env: Record<string, string> = {},
  options: { extraModules?: Array<Type | DynamicModule> } = {},
): Promise<TestApp> {
  const port = await freePort();
  // Every test client is 127.0.0.1, and the per-address sign-in budget is counted in the database,
  // so the suites of one worker would share it within a window: a suite that tests that limit sets
  // its own (a different budget is a different count).
  const config = loadConfig({
    AUTH_RATE_LIMIT_PER_IP: '100000',
    ...process.env,
    PORT: String(port),
    HOST: '127.0.0.1',
    ...env,
  });
  const databaseUrl = process.env.DATABASE_URL;
  if (!databaseUrl) throw new Error('the jest global setup did not provide DATABASE_URL');
  const app = await createApp(config, { url: databaseUrl, embedded: embeddedDb() }, options);
  await app.listen(port, '127.0.0.1');
  return {
    app,
    config,
    port,
    url: `http://127.0.0.1:${port}`,
    dataSource: app.get(DataSource),
    close: () => app.close(),
  };
}

/** Path of a compiled file in this test run's private build (made by the jest global setup). */
export function builtFile(relative: string): string {
  const build = process.env.MANA_TEST_BUILD;
  if (!build) throw new Error('MANA_TEST_BUILD is not set: run the suite through npm test');
  return `${build}/${relative}`;
}
