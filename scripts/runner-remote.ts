import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import type { LogLevel } from '@nestjs/common';
import { hostname } from 'node:os';
import { ConfigError } from '../src/config/config.error.js';
import { BrainSelector } from '../src/runner/brains/brain.selector.js';
import { InternalApiClient } from '../src/runner/remote/internal-api.client.js';
import { loadRemoteRunnerConfig } from '../src/runner/remote/remote-runner.config.js';
import { RemoteRunnerModule } from '../src/runner/remote/remote-runner.module.js';
import { RemoteRunner } from '../src/runner/remote/remote-runner.js';
import { TickPipeline } from '../src/runner/tick/tick.pipeline.js';
import { UsageError, apiBase, parseFlags, runCli } from './cli-support.js';

const USAGE = `Usage: npm run runner:remote -- --api=URL [--once] [--runner-id=ID] [--poll-ms=MS]

Plays due personas of a Mana Personas server from this host, with the same tick pipeline and brains
as the in-process runner: claims through the internal API (lease + fencing token), logs each persona
in through the public login, opens MCP to the server's /mcp, records actions, ratings and findings
under the lease, heartbeats while a tick runs and finishes it (the server computes the next due time).

  --api=URL        the server (default: $MANA_API_URL, else http://localhost:3000)
  --once           one claim round (claim until nothing is due, play it all), then exit
  --runner-id=ID   lease owner shown on the server (default: runner-remote:<host>:<pid>)
  --poll-ms=MS     pause between rounds (default 30000)
  --help           this text

Environment: MANA_SERVICE_KEY (required, the server's X-Service-Key), PERSONA_SEED_SECRET (the
server's, to derive persona passwords), PERSONA_BRAIN, PERSONA_CONCURRENCY, PERSONA_SEED,
TICK_TIMEOUT_MS, TICK_MAX_TURNS, FINDING_SLOW_MS, RUNNER_SHUTDOWN_GRACE_MS, ANTHROPIC_API_KEY,
ANTHROPIC_BASE_URL, ANTHROPIC_MODEL, LOG_LEVEL. No database, no other server secret, no file written.
SIGTERM/SIGINT: stop claiming, let running ticks finish (or abort them after the grace period), exit 0.
Exit status: 0 done or stopped, 1 failed to start, 2 usage error.`;

const LEVELS: Record<string, LogLevel[] | false> = {
  silent: false,
  fatal: ['fatal', 'error'],
  error: ['fatal', 'error'],
  warn: ['fatal', 'error', 'warn'],
  info: ['fatal', 'error', 'warn', 'log'],
  debug: ['fatal', 'error', 'warn', 'log', 'debug'],
  trace: ['fatal', 'error', 'warn', 'log', 'debug', 'verbose'],
};

async function main(): Promise<number> {
  // a stop asked for while the runner is still starting is kept, and honoured once the runner exists
  const started: { runner?: RemoteRunner; stopAsked: boolean } = { stopAsked: false };
  const stop = () => {
    started.stopAsked = true;
    void started.runner?.stop();
  };
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
  const flags = parseFlags(process.argv.slice(2), {
    values: ['api', 'runner-id', 'poll-ms'],
    switches: ['once', 'help'],
  });
  if (flags.help) {
    console.log(USAGE);
    return 0;
  }
  const apiUrl = apiBase(flags, process.env);
  const pollMs = flags['poll-ms'] === undefined ? 30_000 : Number(flags['poll-ms']);
  if (!Number.isInteger(pollMs) || pollMs < 100) throw new UsageError('--poll-ms must be an integer ≥ 100');
  let config;
  try {
    config = loadRemoteRunnerConfig(process.env);
  } catch (error) {
    if (error instanceof ConfigError) {
      console.error(error.message);
      return 1;
    }
    throw error;
  }
  const app = await NestFactory.createApplicationContext(RemoteRunnerModule.forServer(config, apiUrl), {
    logger: LEVELS[config.logLevel] ?? LEVELS.info,
  });
  const runner = new RemoteRunner(app.get(InternalApiClient), app.get(TickPipeline), app.get(BrainSelector), {
    apiUrl,
    runnerId: (flags['runner-id'] as string | undefined) ?? `runner-remote:${hostname()}:${process.pid}`,
    concurrency: config.personaConcurrency,
    once: flags.once === true,
    pollMs,
    graceMs: config.shutdownGraceMs,
  });
  started.runner = runner;
  if (started.stopAsked) void runner.stop();
  const summary = await runner.run();
  await runner.stop();
  await app.close();
  const failed = summary.results.filter((r) => r.status !== 'ok' && r.status !== 'skipped').length;
  console.log(
    JSON.stringify({
      runner: 'remote',
      rounds: summary.rounds,
      ticks: summary.ticks,
      ok: summary.ok,
      failed,
    }),
  );
  return 0;
}

runCli(async () => {
  const code = await main();
  // nothing should be left running; should an idle socket linger, leave anyway (the timer never holds the process)
  setTimeout(() => process.exit(code), 2000).unref();
  return code;
}, USAGE);
