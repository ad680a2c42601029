import 'reflect-metadata';
import { createApp } from './app.factory.js';
import { loadConfig } from './config/app-config.js';
import { ConfigError } from './config/config.error.js';
import { EmbeddedDatabaseLock } from './database/embedded-lock.js';
import { EmbeddedPostgres } from './database/embedded-postgres.js';
import { AdminBootstrapService } from './auth/admin-bootstrap.service.js';
import { join } from 'node:path';
import { renderBanner } from './observability/banner.js';
import { prettyConsole } from './observability/logger.options.js';

async function bootstrap(): Promise<void> {
  let config;
  try {
    config = loadConfig(process.env);
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(`${error.message}\n`);
      process.exit(1);
    }
    throw error;
  }
  let embedded: EmbeddedPostgres | undefined;
  let lock: EmbeddedDatabaseLock | undefined;
  let url = config.databaseUrl;
  if (!url) {
    lock = EmbeddedDatabaseLock.acquire(config.dataDir);
    embedded = await EmbeddedPostgres.start(join(config.dataDir, 'pgdata'));
    url = embedded.url;
  }
  const app = await createApp(config, { url, embedded: Boolean(embedded) });
  const server = await app.listen(config.port, config.host);
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : config.port;
  lock?.update(port);
  const base = config.publicUrl(port);
  const dev = app.get(AdminBootstrapService).createdDevAdmin;
  const lines = [
    `Mana Personas listening on ${base} (${embedded ? `embedded Postgres under ${config.dataDir}` : 'DATABASE_URL'})`,
    ...[
      ['dashboard', `${base}/admin (sign in with an admin account)`],
      ['health', `${base}/health/ready`],
      ['API docs', `${base}/api/docs`],
      ['MCP', `${base}/mcp (bearer token of any account)`],
      ['metrics', `${base}/metrics`],
    ].map(([label, url]) => `  ${label.padEnd(10)}${url}`),
  ];
  if (dev) {
    lines.push(`  first admin created (shown once): ${dev.email} / ${dev.password}`);
  }
  // the banner is for the person at the terminal: plain text, not a JSON log line
  process.stdout.write(renderBanner(lines, prettyConsole(config)));

  const stop = async () => {
    await app.close();
    await embedded?.stop();
    lock?.release();
  };
  let stopping = false;
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.once(signal, () => {
      if (stopping) return;
      stopping = true;
      stop()
        .then(() => process.exit(0))
        .catch(() => process.exit(1));
    });
  }
}

bootstrap().catch((error: unknown) => {
  // a clear one-line reason (e.g. the data directory is in use by another server), not a stack trace
  process.stderr.write(
    `Mana Personas could not start: ${error instanceof Error ? error.message : String(error)}\n`,
  );
  process.exit(1);
});
