import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PersonaSeedService } from '../../src/personas/catalog/persona-seed.service.js';
import { RunnerService } from '../../src/runner/runner.service.js';
import { bootTestApp, builtFile } from '../support/test-app.js';
import type { TestApp } from '../support/test-app.js';

interface JsonReport {
  ticks: number;
  failedTicks: number;
  tools: Array<{ name: string; calls: number }>;
  findings: Array<{ tool: string; class: string; check: string }>;
  exitCode: number;
}

const SEED = 'check-equals-runner';
/** What both runs are told alike: the seed, the scripted brain, nothing planted, the slow floor. */
const SAME = { PERSONA_SEED: SEED, FINDING_SLOW_RELATIVE_MS: '1000' };

/**
 * `npm run check` with no target plays the built-in app in its own process and embedded database;
 * the in-server runner plays it in the server. For the same seed and personas, the personas must
 * make the same calls and the engine find the same things: the CLI is the runner, not a copy of it.
 */
describe('npm run check on the built-in app', () => {
  let work: string;
  let personas: string;
  let t: TestApp | undefined;

  beforeAll(() => {
    work = mkdtempSync(join(tmpdir(), 'mana-check-built-in-'));
    const catalog = JSON.parse(readFileSync('catalog/personas.json', 'utf8')) as {
      personas: Array<{ email: string }>;
    };
    // two catalog personas under e-mails no other suite uses (the suite's database is shared): their
    // first day, in both runs
    const tag = randomUUID().slice(0, 8);
    const two = catalog.personas.slice(0, 2).map((p) => ({ ...p, email: p.email.replace('@', `-${tag}@`) }));
    personas = join(work, 'personas.json');
    writeFileSync(personas, JSON.stringify({ ...catalog, $schema: undefined, personas: two, spaces: [] }));
  });
  afterAll(async () => {
    await t?.close();
    rmSync(work, { recursive: true, force: true });
  });

  it('should give the same calls per tool and the same findings as the in-server runner for the same seed', async () => {
    const json = join(work, 'check.json');
    const run = await new Promise<{ code: number; stderr: string }>((done) => {
      execFile(
        process.execPath,
        [builtFile('scripts/check.js'), '--personas', personas, '--json', json],
        { env: { ...process.env, ...SAME, CHECK_LOG_LEVEL: 'error' }, timeout: 240_000 },
        (error, _stdout, stderr) =>
          done({ code: error ? (typeof error.code === 'number' ? error.code : -1) : 0, stderr }),
      );
    });
    expect(run).toEqual({ code: 0, stderr: '' });
    const viaCheck = JSON.parse(readFileSync(json, 'utf8')) as JsonReport;
    expect(viaCheck).toMatchObject({ ticks: 2, failedTicks: 0 });

    t = await bootTestApp({
      ...SAME,
      PERSONA_BRAIN: 'scripted',
      RUNNER_ENABLED: 'false',
      RUNNER_DEMO: 'false',
      FAULTS: '[]',
      TOOL_RATE_LIMIT: '1000000',
    });
    const seeded = await t.app.get(PersonaSeedService).seedCatalog(personas);
    const ids = seeded.personas.map((p) => p.userId!);
    expect(ids).toHaveLength(2);
    for (const id of ids) expect((await t.app.get(RunnerService).runNow(id)).status).toBe('ok');

    const calls = (await t.dataSource.query(
      `SELECT tool_name AS name, count(*)::int AS calls FROM persona_actions
        WHERE persona_id = ANY($1) AND origin = 'brain' GROUP BY tool_name ORDER BY tool_name`,
      [ids],
    )) as Array<{ name: string; calls: number }>;
    const findings = (await t.dataSource.query(
      `SELECT DISTINCT tool, class, check_name AS "check" FROM persona_findings
        WHERE persona_id = ANY($1) AND NOT persona_mistake ORDER BY tool, class, check_name`,
      [ids],
    )) as Array<{ tool: string; class: string; check: string }>;

    const byName = (a: { name: string }, b: { name: string }) =>
      a.name < b.name ? -1 : a.name > b.name ? 1 : 0;
    const key = (f: { tool: string; class: string; check: string }) => `${f.tool}|${f.class}|${f.check}`;
    const called = viaCheck.tools
      .filter((u) => u.calls > 0)
      .map(({ name, calls: n }) => ({ name, calls: n }));
    expect(calls.length).toBeGreaterThan(3);
    expect(called.sort(byName)).toEqual(calls.sort(byName));
    expect(viaCheck.findings.map(key).sort()).toEqual(findings.map(key).sort());
  }, 360_000);
});
