import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PersonaTargetsService } from '../../src/personas/targets/persona-targets.service.js';
import { TargetResolver } from '../../src/runner/targets/target.resolver.js';
import { createAdmin } from '../support/factories.js';
import type { TestUser } from '../support/factories.js';
import { MEMORY_SCRIPT, recordingProxy, startEverything, toolNamesOf } from '../support/external-mcp.js';
import type { RunningServer } from '../support/external-mcp.js';
import { http } from '../support/http.js';
import { ADMIN_BASE, personaBody } from '../support/personas.js';
import { bootTestApp } from '../support/test-app.js';
import type { TestApp } from '../support/test-app.js';
import { RUNNER_TEST_ENV, runnerPersona } from '../runner/runner.fixtures.js';
import {
  LOUD_LOGS,
  MEMORY_SEMANTICS,
  TARGETS,
  captureLogs,
  createTarget,
  removeTargets,
  distinctSecret,
  httpTargetBody,
  stdioTargetBody,
} from './targets-support.js';

const APP_ENV = { ...LOUD_LOGS, ...RUNNER_TEST_ENV, PERSONA_BRAIN: 'scripted', TICK_MAX_TURNS: '6' };

describe(`${TargetResolver.name}: personas play their own target`, () => {
  let t: TestApp;
  let admin: TestUser;
  let everything: RunningServer;
  let proxy: Awaited<ReturnType<typeof recordingProxy>>;
  let work: string;
  const logs: string[] = [];
  const answers: string[] = [];
  const headerSecret = distinctSecret('header');
  const teamSecret = distinctSecret('team');
  const personaSecret = distinctSecret('persona');
  const envSecret = distinctSecret('env');
  /** Made on the first app, used again on the production one. */
  const made: { httpTarget?: string; stdioTarget?: string; stdioPersona?: string; memoryFile?: string } = {};

  const call = async (method: string, path: string, body?: unknown) => {
    const res = await http(t.url, method, path, { token: admin.accessToken, body });
    answers.push(res.text);
    return res;
  };
  const createPersona = async (overrides: Record<string, unknown>) => {
    const res = await call('POST', ADMIN_BASE, personaBody(t, runnerPersona(overrides)));
    if (res.status !== 201) throw new Error(`persona create failed: ${res.status} ${res.text}`);
    return res.body.userId as string;
  };
  /** A stdio target: the memory server, writing its graph to `file`, with a secret in its environment. */
  const memoryTarget = (file: string) =>
    createTarget(
      t,
      admin,
      stdioTargetBody({
        command: process.execPath,
        args: [MEMORY_SCRIPT],
        env: { MEMORY_FILE_PATH: file, MEMORY_TOKEN: envSecret },
      }),
    );
  const tick = (personaId: string) => call('POST', `${ADMIN_BASE}/${personaId}/tick`);
  const toolsCalled = async (tickId: string) =>
    (
      await t.dataSource.query(
        `SELECT DISTINCT tool_name FROM persona_actions WHERE tick_id = $1 ORDER BY 1`,
        [tickId],
      )
    ).map((r: { tool_name: string }) => r.tool_name) as string[];

  beforeAll(async () => {
    work = mkdtempSync(join(tmpdir(), 'mana-targets-'));
    everything = await startEverything();
    proxy = await recordingProxy(everything.url);
    t = await bootTestApp(APP_ENV);
    captureLogs(logs);
    admin = await createAdmin(t);
  });
  afterAll(async () => {
    await removeTargets(t, admin);
    await t.close();
    await proxy.stop();
    await everything.stop();
    rmSync(work, { recursive: true, force: true });
  });

  it('should play an HTTP target: its tools only, with the target’s headers and the persona’s own over them', async () => {
    const tools = await toolNamesOf({ url: everything.url });
    const target = await createTarget(
      t,
      admin,
      httpTargetBody({
        url: proxy.url,
        headers: { Authorization: `Bearer ${headerSecret}`, 'X-Team': teamSecret },
      }),
    );
    made.httpTarget = target.id;
    const personaId = await createPersona({
      target: target.id,
      targetHeaders: { authorization: `Bearer ${personaSecret}` },
    });
    const res = await tick(personaId);
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ personaId, status: 'ok', recorded: true });
    expect(res.body.toolCalls).toBeGreaterThan(0);
    const called = await toolsCalled(res.body.tickId);
    expect(called.length).toBeGreaterThan(0);
    expect(called.filter((name) => !tools.includes(name))).toEqual([]);
    // what the server was sent: the persona's token (a header name in another case replaces the
    // target's), and the target's other header
    expect(proxy.seen.length).toBeGreaterThan(0);
    expect(new Set(proxy.seen.map((h) => h.authorization))).toEqual(new Set([`Bearer ${personaSecret}`]));
    expect(new Set(proxy.seen.map((h) => h['x-team']))).toEqual(new Set([teamSecret]));
  }, 180_000);

  it('should play a stdio target: its command started with the target’s environment', async () => {
    const memoryFile = join(work, 'memory.jsonl');
    const tools = await toolNamesOf({ command: process.execPath, args: [MEMORY_SCRIPT] });
    const target = await memoryTarget(memoryFile);
    const personaId = await createPersona({ target: target.id });
    Object.assign(made, { stdioTarget: target.id, stdioPersona: personaId, memoryFile });
    const res = await tick(personaId);
    expect(res.body).toMatchObject({ personaId, status: 'ok', recorded: true });
    const called = await toolsCalled(res.body.tickId);
    expect(called.length).toBeGreaterThan(0);
    expect(called.filter((name) => !tools.includes(name))).toEqual([]);
    // the server wrote its graph where the environment told it to
    expect(existsSync(memoryFile)).toBe(true);
    expect(readFileSync(memoryFile, 'utf8').length).toBeGreaterThan(0);
  }, 180_000);

  it('should hand the runner the target’s semantics as a semantics file gives them, readers filled in', async () => {
    // a stdio target and persona of its own (the test holds whatever ran before it)
    const own = await memoryTarget(join(work, 'semantics.jsonl'));
    const personaId = await createPersona({ target: own.id });
    expect((await call('PATCH', `${TARGETS}/${own.id}`, { semantics: MEMORY_SEMANTICS })).status).toBe(200);
    const target = await t.app.get(PersonaTargetsService).targetOf(personaId);
    expect(target).toMatchObject({
      kind: 'stdio',
      command: process.execPath,
      args: [MEMORY_SCRIPT],
      env: { MEMORY_FILE_PATH: join(work, 'semantics.jsonl'), MEMORY_TOKEN: envSecret },
      semantics: {
        create_entities: { effect: 'create', entity: 'entity', readers: ['read_graph'] },
        read_graph: { effect: 'list', entity: 'entity', readers: ['read_graph'] },
      },
    });
  });

  describe('in production (stdio targets off unless TARGETS_STDIO_ENABLED=true)', () => {
    let first: TestApp['config'];
    beforeAll(async () => {
      // what the tests above make, made here if they have not run yet (any order): an HTTP target,
      // and a stdio target whose persona ticked once in development (its graph file written)
      if (!made.httpTarget)
        made.httpTarget = (await createTarget(t, admin, httpTargetBody({ url: proxy.url }))).id;
      if (!made.stdioTarget) {
        const memoryFile = join(work, 'memory-production.jsonl');
        const target = await memoryTarget(memoryFile);
        const personaId = await createPersona({ target: target.id });
        expect((await tick(personaId)).body).toMatchObject({ status: 'ok' });
        Object.assign(made, { stdioTarget: target.id, stdioPersona: personaId, memoryFile });
      }
      first = t.config;
      await t.close();
      // the same keys, so the admin's token and the sealed secrets stay good
      t = await bootTestApp({
        ...APP_ENV,
        NODE_ENV: 'production',
        JWT_PRIVATE_KEY: first.jwtPrivateKeyPem,
        MANA_SERVICE_KEY: first.serviceKey,
        MASTER_KEK: first.masterKek.toString('base64'),
        PERSONA_SEED_SECRET: distinctSecret('seed'),
      });
      captureLogs(logs);
    });

    it('should refuse to create a stdio target, or to make one, with a 403 naming TARGETS_STDIO_ENABLED', async () => {
      expect(t.config.targetsStdioEnabled).toBe(false);
      const created = await call('POST', TARGETS, stdioTargetBody());
      expect(created).toMatchObject({
        status: 403,
        body: { message: expect.stringContaining('TARGETS_STDIO_ENABLED=true') },
      });
      const switched = await call('PATCH', `${TARGETS}/${made.httpTarget}`, {
        kind: 'stdio',
        command: 'node s.js',
      });
      expect(switched).toMatchObject({
        status: 403,
        body: { message: expect.stringContaining('TARGETS_STDIO_ENABLED') },
      });
      const changed = await call('PATCH', `${TARGETS}/${made.stdioTarget}`, { command: 'node other.js' });
      expect(changed.status).toBe(403);
      // naming it is no new command
      const renamed = await call('PATCH', `${TARGETS}/${made.stdioTarget}`, { name: 'memory (parked)' });
      expect(renamed).toMatchObject({ status: 200, body: { name: 'memory (parked)', kind: 'stdio' } });
      expect((await call('GET', `${TARGETS}/${made.httpTarget}`)).body.kind).toBe('http');
    });

    it('should fail the tick of a persona on a stdio target, saying why, without starting its command', async () => {
      const before = readFileSync(made.memoryFile!, 'utf8');
      const res = await tick(made.stdioPersona!);
      expect(res.status).toBe(200);
      expect(res.body).toMatchObject({
        status: 'failed',
        toolCalls: 0,
        error: expect.stringContaining('TARGETS_STDIO_ENABLED is false'),
      });
      const [row] = await t.dataSource.query(`SELECT status, error FROM persona_ticks WHERE id = $1`, [
        res.body.tickId,
      ]);
      expect(row).toEqual({ status: 'failed', error: res.body.error });
      expect(readFileSync(made.memoryFile!, 'utf8')).toBe(before);
    });

    // the tests outside this block may run after it (any order): they get the development app back
    afterAll(async () => {
      await t.close();
      t = await bootTestApp({
        ...APP_ENV,
        JWT_PRIVATE_KEY: first.jwtPrivateKeyPem,
        MANA_SERVICE_KEY: first.serviceKey,
        MASTER_KEK: first.masterKek.toString('base64'),
        PERSONA_SEED_SECRET: first.personaSeedSecret,
      });
      captureLogs(logs);
    });

    it('should never have answered or logged a secret value', () => {
      expect(logs.some((l) => l.includes(`/api/v1/personas/admin/${made.stdioPersona}/tick`))).toBe(true);
      const everything = [...answers, ...logs].join('\n');
      for (const secret of [headerSecret, teamSecret, personaSecret, envSecret]) {
        expect(everything).not.toContain(secret);
      }
    });
  });
});
