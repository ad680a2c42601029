import { randomBytes, randomUUID } from 'node:crypto';
import { AppConfig } from '../../src/config/app-config.js';
import { FaultsRepository } from '../../src/faults/faults.repository.js';
import { FaultsService } from '../../src/faults/faults.service.js';
import { bootTestApp, embeddedDb } from '../support/test-app.js';
import type { TestApp } from '../support/test-app.js';
import { createAdmin, registerUser } from '../support/factories.js';
import type { TestUser } from '../support/factories.js';
import { http } from '../support/http.js';
import { connectMcp, dataOf } from '../mcp/mcp-client.js';
import { waitFor } from '../support/wait-for.js';
import { clearAllFaults } from './faults-support.js';

/** Polls fast, so "applied by every instance within seconds" is checked in well under a second. */
const ENV = { FAULTS_POLL_MS: '200', TOOL_RATE_LIMIT: '10000' };

describe(`${FaultsService.name} admin API`, () => {
  let t: TestApp;
  let admin: TestUser;
  let user: TestUser;

  beforeAll(async () => {
    t = await bootTestApp(ENV);
    admin = await createAdmin(t);
    user = await registerUser(t);
  });
  afterAll(async () => {
    if (t) await clearAllFaults(t);
    await t?.close();
  });

  const api = (method: string, path: string, options: { token?: string; body?: unknown } = {}) =>
    http(t.url, method, `/api/v1/faults${path}`, options);

  it('should answer 401 to an anonymous caller and 403 to a user on every route', async () => {
    const routes: Array<[string, string]> = [
      ['GET', '/catalog'],
      ['GET', ''],
      ['POST', ''],
      ['DELETE', `/${randomUUID()}`],
    ];
    for (const [method, path] of routes) {
      const body = method === 'POST' ? { defect: 'todo.list.slow' } : undefined;
      expect((await api(method, path, { body })).status).toBe(401);
      const forbidden = await api(method, path, { token: user.accessToken, body });
      expect(forbidden.status).toBe(403);
    }
    // the user's attempt planted nothing
    expect(t.app.get(FaultsService).active('todo.list.slow')).toBeUndefined();
  });

  it('should list the catalog with class, module, tool and parameters', async () => {
    const res = await api('GET', '/catalog', { token: admin.accessToken });
    expect(res.status).toBe(200);
    expect(res.body.items.length).toBeGreaterThanOrEqual(14);
    expect(res.body.items).toContainEqual({
      id: 'todo.list.slow',
      class: 'slow',
      module: 'todo',
      tool: 'todo.list',
      description: expect.any(String),
      parameters: {
        probability: expect.objectContaining({ default: 1, min: 0, max: 1 }),
        delayMs: expect.objectContaining({ default: 3000, min: 0, max: 60000, jitter: false }),
      },
    });
  });

  it('should document its routes in the OpenAPI document', async () => {
    const doc = await http(t.url, 'GET', '/api/docs-json');
    expect(doc.status).toBe(200);
    expect(Object.keys(doc.body.paths)).toEqual(
      expect.arrayContaining(['/api/v1/faults', '/api/v1/faults/catalog', '/api/v1/faults/{id}']),
    );
    expect(doc.body.components.schemas).toHaveProperty('FaultParameterDto');
    expect(doc.body.components.schemas).toHaveProperty('PlantFaultDto');
  });

  it('should answer 400 naming the field for bad input', async () => {
    const cases: Array<[unknown, RegExp]> = [
      [{}, /defect/],
      [{ defect: 42 }, /defect/],
      [{ defect: 'todo.list.slow', probability: 1.5 }, /probability/],
      [{ defect: 'todo.list.slow', probability: 'half' }, /probability/],
      [{ defect: 'todo.list.slow', delayMs: -1 }, /delayMs/],
      [{ defect: 'todo.list.slow', delayMs: 60_001 }, /delayMs/],
      [{ defect: 'todo.list.slow', delayMs: 2.5 }, /delayMs/],
      [{ defect: 'todo.list.slow', note: 'x'.repeat(501) }, /note/],
      [{ defect: 'todo.list.slow', when: 'now' }, /when/],
      [{ defect: 'todo.list.drops-newest', delayMs: 100 }, /delayMs does not apply/],
    ];
    for (const [body, field] of cases) {
      const res = await api('POST', '', { token: admin.accessToken, body });
      expect({ body, status: res.status }).toEqual({ body, status: 400 });
      expect(res.body.message).toMatch(field);
    }
    expect((await api('DELETE', '/not-a-uuid', { token: admin.accessToken })).body.message).toMatch(
      /id must be a UUID/,
    );
    expect((await api('GET', '', { token: admin.accessToken })).body.active).toBe(0);
  });

  it('should answer 404 for an unknown defect and an unknown fault id', async () => {
    const unknown = await api('POST', '', {
      token: admin.accessToken,
      body: { defect: 'todo.list.drops-oldest' },
    });
    expect(unknown.status).toBe(404);
    expect(unknown.body.message).toMatch(/todo.list.drops-oldest.*not in the catalog/);
    expect((await api('DELETE', `/${randomUUID()}`, { token: admin.accessToken })).status).toBe(404);
  });

  it('should plant, list as active, clear, and keep plantedAt and clearedAt in the history', async () => {
    const faults = t.app.get(FaultsService);
    const planted = await api('POST', '', {
      token: admin.accessToken,
      body: { defect: 'mood.recent.slow', delayMs: 50, probability: 0.75, note: 'api test' },
    });
    expect(planted.status).toBe(201);
    expect(planted.body).toEqual({
      id: expect.any(String),
      defect: 'mood.recent.slow',
      class: 'slow',
      module: 'mood',
      tool: 'mood.recent',
      probability: 0.75,
      delayMs: 50,
      note: 'api test',
      plantedBy: admin.id,
      plantedAt: expect.any(String),
      clearedBy: null,
      clearedAt: null,
      active: true,
    });
    const id = planted.body.id as string;
    expect(faults.active('mood.recent.slow')).toMatchObject({ id, probability: 0.75, delayMs: 50 });

    const listed = await api('GET', '', { token: admin.accessToken });
    expect(listed.status).toBe(200);
    expect(listed.body.active).toBe(1);
    expect(listed.body.items[0]).toEqual(planted.body);

    const cleared = await api('DELETE', `/${id}`, { token: admin.accessToken });
    expect(cleared.status).toBe(200);
    expect(cleared.body).toMatchObject({
      id,
      active: false,
      clearedBy: admin.id,
      plantedAt: planted.body.plantedAt,
    });
    expect(Date.parse(cleared.body.clearedAt)).toBeGreaterThanOrEqual(Date.parse(planted.body.plantedAt));
    expect(faults.active('mood.recent.slow')).toBeUndefined();

    // clearing again is idempotent: the same row, the first clearedAt
    const again = await api('DELETE', `/${id}`, { token: admin.accessToken });
    expect(again.status).toBe(200);
    expect(again.body.clearedAt).toBe(cleared.body.clearedAt);

    const history = await api('GET', '', { token: admin.accessToken });
    expect(history.body.active).toBe(0);
    expect(history.body.items).toContainEqual(cleared.body);
  });

  it('should default the parameters to the catalog values', async () => {
    const planted = await api('POST', '', {
      token: admin.accessToken,
      body: { defect: 'journal.add.error' },
    });
    expect(planted.status).toBe(201);
    expect(planted.body).toMatchObject({ probability: 0.5, delayMs: null, note: null });
    expect((await api('DELETE', `/${planted.body.id}`, { token: admin.accessToken })).status).toBe(200);
  });
});

describe('a fault planted through one instance', () => {
  const apps: TestApp[] = [];
  let second: FaultsService;
  let stopSecond: (() => Promise<void>) | undefined;

  beforeAll(async () => {
    apps.push(await bootTestApp(ENV));
    if (embeddedDb()) {
      // one connection only: a second FaultsService with its own memory and poll, on the same database
      const first = apps[0].app;
      second = new FaultsService(first.get(AppConfig), first.get(FaultsRepository));
      await second.onApplicationBootstrap();
      stopSecond = () => second.onModuleDestroy();
    } else {
      apps.push(await bootTestApp(ENV));
      second = apps[1].app.get(FaultsService);
    }
  });
  afterAll(async () => {
    if (apps[0]) await clearAllFaults(apps[0]);
    await stopSecond?.();
    for (const t of apps.reverse()) await t.close();
  });

  it('should be applied by a second instance on the same database within seconds, and cleared there too', async () => {
    const a = apps[0];
    const admin = await createAdmin(a);
    expect(second.active('todo.list.drops-newest')).toBeUndefined();
    const planted = await http(a.url, 'POST', '/api/v1/faults', {
      token: admin.accessToken,
      body: { defect: 'todo.list.drops-newest' },
    });
    expect(planted.status).toBe(201);
    await waitFor(
      'the second app to see the planted fault',
      async () => second.active('todo.list.drops-newest')?.id === planted.body.id,
      5000,
    );

    if (!embeddedDb()) {
      // the second app's own tool now answers wrongly for its caller
      // (over MCP: the lab plants its defects at the tool executor)
      const b = apps[1];
      const user = await registerUser(b);
      const session = await connectMcp(b, { token: user.accessToken });
      await session.call('todo.create', { title: 'older' });
      await session.call('todo.create', { title: 'newest' });
      const listed = dataOf(await session.call('todo.list', {}));
      expect(listed.items.map((i: { title: string }) => i.title)).toEqual(['older']);
      await session.close();
    }

    const cleared = await http(a.url, 'DELETE', `/api/v1/faults/${planted.body.id}`, {
      token: admin.accessToken,
    });
    expect(cleared.status).toBe(200);
    await waitFor(
      'the second app to see the fault cleared',
      async () => second.active('todo.list.drops-newest') === undefined,
      5000,
    );
  });
});

describe('the fault lab in production', () => {
  let t: TestApp | undefined;
  const productionEnv = (): Record<string, string> => ({
    ...ENV,
    NODE_ENV: 'production',
    MANA_SERVICE_KEY: randomBytes(24).toString('hex'),
    PERSONA_SEED_SECRET: randomBytes(24).toString('hex'),
  });
  /** The secrets a production boot insists on: the suite's own JWT key and KEK (so stored keys still unwrap). */
  let secrets: Record<string, string>;

  beforeAll(async () => {
    const dev = await bootTestApp(ENV);
    secrets = {
      JWT_PRIVATE_KEY: dev.config.jwtPrivateKeyPem,
      MASTER_KEK: dev.config.masterKek.toString('hex'),
    };
    await dev.close();
  });
  afterEach(async () => {
    if (t) await clearAllFaults(t);
    await t?.close();
    t = undefined;
  });

  it('should refuse every route with 403 without FAULTS_ENABLED, and apply nothing', async () => {
    t = await bootTestApp({ ...productionEnv(), ...secrets });
    const admin = await createAdmin(t);
    for (const [method, path] of [
      ['GET', '/catalog'],
      ['GET', ''],
      ['POST', ''],
      ['DELETE', `/${randomUUID()}`],
    ]) {
      const res = await http(t.url, method, `/api/v1/faults${path}`, {
        token: admin.accessToken,
        body: method === 'POST' ? { defect: 'todo.list.slow' } : undefined,
      });
      expect({ method, path, status: res.status }).toEqual({ method, path, status: 403 });
      expect(res.body.message).toMatch(/FAULTS_ENABLED=true/);
    }
  });

  it('should open with FAULTS_ENABLED=true and plant FAULTS at boot, once', async () => {
    const env = {
      ...productionEnv(),
      ...secrets,
      FAULTS_ENABLED: 'true',
      FAULTS: '[{"defect":"calendar.list_events.slow","delayMs":20}]',
    };
    t = await bootTestApp(env);
    const admin = await createAdmin(t);
    const listed = await http(t.url, 'GET', '/api/v1/faults', { token: admin.accessToken });
    expect(listed.status).toBe(200);
    const boot = listed.body.items.filter((f: { defect: string; active: boolean }) => f.active);
    expect(boot).toEqual([
      expect.objectContaining({
        defect: 'calendar.list_events.slow',
        delayMs: 20,
        plantedBy: null,
        note: 'planted at boot by FAULTS',
      }),
    ]);
    // a restart with the same FAULTS does not plant it a second time
    await t.close();
    t = await bootTestApp(env);
    const again = await http(t.url, 'GET', '/api/v1/faults', { token: admin.accessToken });
    expect(again.body.active).toBe(1);
  });
});
