import 'reflect-metadata';
import { createApp } from './app.factory.js';
import { loadConfig } from './config/app-config.js';
import { ConfigError } from './config/config.error.js';
import { bootFaultProblems } from './faults/fault-checks.js';
import { EmbeddedDatabaseLock } from './database/embedded-lock.js';
import { EmbeddedPostgres } from './database/embedded-postgres.js';
import { AdminBootstrapService } from './auth/users/admin-bootstrap.service.js';
import type { CreatedDevAdmin } from './auth/users/admin-bootstrap.service.js';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import type { INestApplicationContext } from '@nestjs/common';
import { SchedulerRegistry } from '@nestjs/schedule';
import { renderBanner } from './observability/banner.js';
import { prettyConsole } from './observability/logger.options.js';
import { RUNNER_JOB } from './runner/runner.scheduler.js';

/** How long the first-admin block waits for the runner to start (seeding the catalog) before it prints anyway. */
const RUNNER_START_WAIT_MS = 30_000;

async function bootstrap(): Promise<void> {
  let config;
  try {
    config = loadConfig(process.env);
    // the config reads FAULTS as syntax; the fault lab names unknown defects and misfit parameters
    const faultProblems = bootFaultProblems(config.faultsAtBoot);
    if (faultProblems.length > 0) throw new ConfigError(faultProblems);
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
  const color = prettyConsole(config);
  const rows = [
    ['dashboard', `${base}/admin (sign in with an admin account)`],
    ['health', `${base}/health/ready`],
    ['API docs', `${base}/api/docs`],
    ['MCP', `${base}/mcp (bearer token of any account)`],
    ['metrics', `${base}/metrics`],
  ];
  if (dev)
    rows.push([
      'admin',
      `${dev.email}: password at the end of the boot${dev.file ? `, and in ${dev.file}` : ''}`,
    ]);
  const lines = [
    `Mana Personas listening on ${base} (${embedded ? `embedded Postgres under ${config.dataDir}` : 'DATABASE_URL'})`,
    ...rows.map(([label, value]) => `  ${label.padEnd(10)}${value}`),
  ];
  // the banner is for the person at the terminal: plain text, not a JSON log line
  process.stdout.write(renderBanner(lines, color));

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

  if (dev) {
    // last in the boot sequence, so it is still on the screen when the boot is over
    await runnerStarted(app, () => stopping);
    if (!stopping) process.stdout.write(renderBanner(firstAdminLines(dev), color));
  }
}

/**
 * Resolves once the runner has started: in demo mode after it seeded the catalog and said so (its
 * first line), at once when no runner is scheduled; at the latest after RUNNER_START_WAIT_MS, or
 * when the server is stopping.
 */
async function runnerStarted(app: INestApplicationContext, stopping: () => boolean): Promise<void> {
  const registry = app.get(SchedulerRegistry, { strict: false });
  const until = Date.now() + RUNNER_START_WAIT_MS;
  while (Date.now() < until && !stopping()) {
    if (!registry.doesExist('cron', RUNNER_JOB) || registry.getCronJob(RUNNER_JOB).isActive) return;
    await sleep(50);
  }
}

/** The first admin, shown once: the only place its password is ever printed. */
function firstAdminLines(dev: CreatedDevAdmin): string[] {
  return [
    `first admin created (shown once): ${dev.email} / ${dev.password}`,
    dev.file
      ? `  also saved in ${dev.file} (readable by you only); delete it once you have stored the password`
      : '  store it now: it is not saved anywhere',
  ];
}

bootstrap().catch((error: unknown) => {
  // a clear one-line reason (e.g. the data directory is in use by another server), not a stack trace
  process.stderr.write(
    `Mana Personas could not start: ${error instanceof Error ? error.message : String(error)}\n`,
  );
  process.exit(1);
});
