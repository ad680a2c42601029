import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { DataSource } from 'typeorm';
import { createApp } from '../../app.factory.js';
import { loadConfig } from '../../config/app-config.js';
import { EmbeddedPostgres } from '../../database/embedded-postgres.js';
import { PgliteTemplate } from '../../database/pglite-template.js';
import { PersonaSeedService } from '../../personas/catalog/persona-seed.service.js';
import { McpToolSession } from '../tick/mcp-tool-session.js';
import { TargetResolver } from '../targets/target.resolver.js';
import { TargetUnreachableError, describeTarget } from '../targets/target.js';
import type { Target } from '../targets/target.js';
import { freePort } from '../../common/free-port.js';
import { seededRunner } from './seeded-runner.js';

/** What `npm run check` was asked to do. */
export interface CheckRunOptions {
  target: Target;
  /** The persona catalog to seed (default catalog/personas.json). */
  personasPath?: string;
  days: number;
  seed: string;
  brain: 'scripted' | 'anthropic';
  /** TICK_BUDGET_USD for the anthropic brain. */
  budgetUsd?: number;
  /** One line per persona tick on a terminal; nothing otherwise. */
  progress?: (line: string) => void;
  /** How long connecting to the target may take (default 20 s). */
  connectTimeoutMs?: number;
}

/** One finding group of the run: a check of a tool that failed, with what the personas saw. */
export interface CheckFinding {
  /** Stable across runs: `tool|class|check` (a baseline stores it). */
  fingerprint: string;
  module: string;
  tool: string;
  class: string;
  check: string;
  /** The first occurrence's evidence. */
  expected: string;
  got: string;
  count: number;
  personas: string[];
}

export interface CheckRunResult {
  target: string;
  seed: string;
  days: number;
  brain: string;
  ticks: number;
  failedTicks: number;
  tickErrors: string[];
  toolCalls: number;
  /** Tools the target lists, and how often the personas (not the engine's probes) called each. */
  tools: Array<{ name: string; calls: number; probes: number }>;
  /** Tools the target lists that the personas cannot call (a client capability they lack). */
  skipped: Array<{ name: string; why: string }>;
  findings: CheckFinding[];
  seconds: number;
}

/**
 * A simulated day (or several) of the catalog personas against one target, with no server running:
 * the app boots in-process on an embedded database in a temp folder (its own accounts, audit and
 * findings), every persona is pointed at the target, and each plays one tick a day, one at a time,
 * with the brain seeded `<seed>:d<day>`. The temp folder is removed at the end.
 */
export async function runCheck(options: CheckRunOptions): Promise<CheckRunResult> {
  const started = Date.now();
  const listed = await preflight(options.target, options.connectTimeoutMs ?? 20_000);
  const workDir = mkdtempSync(join(tmpdir(), 'mana-check-'));
  let db: EmbeddedPostgres | undefined;
  let app: NestExpressApplication | undefined;
  try {
    await new PgliteTemplate().ensure();
    db = await EmbeddedPostgres.start(join(workDir, 'pgdata'));
    const port = await freePort();
    const env: Record<string, string | undefined> = {
      ...process.env,
      NODE_ENV: 'development',
      PORT: String(port),
      HOST: '127.0.0.1',
      DATA_DIR: join(workDir, 'data'),
      LOG_LEVEL: process.env.CHECK_LOG_LEVEL ?? 'error',
      RUNNER_ENABLED: 'false',
      RUNNER_DEMO: 'false',
      FAULTS_ENABLED: 'false',
      FAULTS: '[]',
      PERSONA_BRAIN: options.brain,
      PERSONA_SEED: options.seed,
      AUTH_RATE_LIMIT_PER_IP: '1000000',
      AUTH_RATE_LIMIT_PER_EMAIL: '1000000',
      TOOL_RATE_LIMIT: '1000000',
      // a CI runner is a shared machine: a pause of a few hundred ms is the machine's, not the
      // server's; a call 10× its tool's median is a finding from 1 s up (FINDING_SLOW_RELATIVE_MS)
      FINDING_SLOW_RELATIVE_MS: process.env.FINDING_SLOW_RELATIVE_MS ?? '1000',
      ...(options.budgetUsd !== undefined ? { TICK_BUDGET_USD: String(options.budgetUsd) } : {}),
    };
    delete env.DATABASE_URL;
    const config = loadConfig(env);
    app = await createApp(config, { url: db.url, embedded: true });
    await app.listen(port, '127.0.0.1');
    app.get(TargetResolver).useForAll(options.target);
    const seeded = await app.get(PersonaSeedService).seedCatalog(options.personasPath);
    if (seeded.failed > 0) throw new Error(`seeding the personas failed: ${JSON.stringify(seeded.personas)}`);
    const personas = seeded.personas.filter((p) => p.userId).map((p) => ({ id: p.userId!, email: p.email }));

    const tally = { ticks: 0, failedTicks: 0, toolCalls: 0, tickErrors: [] as string[] };
    for (let day = 0; day < options.days; day += 1) {
      // day 1 plays the seed itself (the day the in-server runner plays with PERSONA_SEED), later
      // days their own seed (the same seed would replay day 1's session)
      const seed = day === 0 ? config.personaSeed : `${config.personaSeed}:d${day}`;
      const runner = seededRunner(app, env, seed, `check-d${day}`);
      for (const [i, persona] of personas.entries()) {
        const summary = await runner.runNow(persona.id);
        tally.ticks += 1;
        tally.toolCalls += summary.toolCalls;
        if (summary.status !== 'ok') {
          tally.failedTicks += 1;
          const why = `${persona.email}: ${summary.status}${summary.error ? ` (${summary.error})` : ''}`;
          if (tally.tickErrors.length < 10) tally.tickErrors.push(why);
        }
        options.progress?.(
          `day ${day + 1}/${options.days}: ${i + 1}/${personas.length} personas, ${tally.toolCalls} calls` +
            `${summary.status !== 'ok' ? ` — ${persona.email} ${summary.status}` : ''}`,
        );
      }
    }
    const ds = app.get(DataSource);
    return {
      target: describeTarget(options.target),
      seed: options.seed,
      days: options.days,
      brain: options.brain,
      ...tally,
      tools: await toolUse(ds, listed?.names ?? null),
      skipped: listed?.skipped ?? [],
      findings: await findingGroups(ds),
      seconds: Math.round((Date.now() - started) / 100) / 10,
    };
  } finally {
    await app?.close().catch(() => undefined);
    await db?.stop().catch(() => undefined);
    rmSync(workDir, { recursive: true, force: true });
  }
}

/** Connects once and lists the tools, so that a wrong URL, token or command fails fast and clearly. */
async function preflight(
  target: Target,
  timeoutMs: number,
): Promise<{ names: string[]; skipped: CheckRunResult['skipped'] } | null> {
  if (target.kind === 'built-in') return null;
  const abort = new AbortController();
  const timer = setTimeout(() => abort.abort(new Error(`no answer within ${timeoutMs} ms`)), timeoutMs);
  let session: McpToolSession | undefined;
  try {
    session = await McpToolSession.openTarget(target, abort.signal, timeoutMs);
    const tools = await session.listTools(abort.signal, timeoutMs);
    if (tools.length === 0 && session.skipped.length === 0) throw new Error('the server lists no tools');
    return { names: tools.map((t) => t.name), skipped: [...session.skipped] };
  } catch (error) {
    throw new TargetUnreachableError(`cannot use ${describeTarget(target)}: ${explain(error)}`);
  } finally {
    clearTimeout(timer);
    await session?.close();
  }
}

function explain(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  if (/\b401\b|unauthori[sz]ed/i.test(message)) return `authentication failed (${message})`;
  if (/\b403\b|forbidden/i.test(message)) return `access denied (${message})`;
  if (/ENOENT|spawn/i.test(message)) return `the command could not be started (${message})`;
  if (/ECONNREFUSED|fetch failed|ENOTFOUND/i.test(message)) return `connection failed (${message})`;
  return message;
}

async function toolUse(ds: DataSource, listed: string[] | null): Promise<CheckRunResult['tools']> {
  const rows = (await ds.query(
    `SELECT tool_name AS name,
            count(*) FILTER (WHERE origin = 'brain')::int AS calls,
            count(*) FILTER (WHERE origin <> 'brain')::int AS probes
       FROM persona_actions GROUP BY tool_name`,
  )) as Array<{ name: string; calls: number; probes: number }>;
  const byName = new Map(rows.map((r) => [r.name, r]));
  const names = listed ?? rows.map((r) => r.name);
  return names.sort().map((name) => byName.get(name) ?? { name, calls: 0, probes: 0 });
}

/** The run's app findings (persona mistakes aside), one group per tool, class and check. */
async function findingGroups(ds: DataSource): Promise<CheckFinding[]> {
  const rows = (await ds.query(
    `SELECT f.module, f.tool, f.class, f.check_name AS "check", f.expected, f.got, u.email
       FROM persona_findings f JOIN users u ON u.id = f.persona_id
      WHERE NOT f.persona_mistake
      ORDER BY f.created_at, f.id`,
  )) as Array<
    Pick<CheckFinding, 'module' | 'tool' | 'class' | 'check' | 'expected' | 'got'> & { email: string }
  >;
  const groups = new Map<string, CheckFinding>();
  for (const r of rows) {
    const fingerprint = `${r.tool}|${r.class}|${r.check}`;
    let g = groups.get(fingerprint);
    if (!g) {
      g = {
        fingerprint,
        module: r.module,
        tool: r.tool,
        class: r.class,
        check: r.check,
        expected: r.expected,
        got: r.got,
        count: 0,
        personas: [],
      };
      groups.set(fingerprint, g);
    }
    g.count += 1;
    if (!g.personas.includes(r.email)) g.personas.push(r.email);
  }
  return [...groups.values()].sort((a, b) => a.fingerprint.localeCompare(b.fingerprint));
}
