import { randomUUID } from 'node:crypto';
import { Targets1763700013000 } from '../../migrations/1763700013000-targets.js';
import { TargetSecretsCodec } from '../../src/personas/targets/target-secrets.codec.js';
import { TargetsAdminController } from '../../src/personas/targets/targets-admin.controller.js';
import { createAdmin, registerUser } from '../support/factories.js';
import type { TestUser } from '../support/factories.js';
import { http } from '../support/http.js';
import { bootTestApp } from '../support/test-app.js';
import type { TestApp } from '../support/test-app.js';
import {
  LOUD_LOGS,
  MEMORY_SEMANTICS,
  TARGETS,
  captureLogs,
  createTarget,
  distinctSecret,
  httpTargetBody,
  stdioTargetBody,
} from './targets-support.js';

describe(TargetsAdminController.name, () => {
  let t: TestApp;
  let admin: TestUser;
  const logs: string[] = [];
  const headerSecret = distinctSecret('header');
  const envSecret = distinctSecret('env');
  const secrets = [headerSecret, envSecret];
  /** Every answer of the suite, searched for the secrets at the end. */
  const answers: string[] = [];

  const call = async (method: string, path: string, body?: unknown) => {
    const res = await http(t.url, method, path, { token: admin.accessToken, body });
    answers.push(res.text);
    return res;
  };

  beforeAll(async () => {
    t = await bootTestApp(LOUD_LOGS);
    captureLogs(logs);
    admin = await createAdmin(t);
  });
  afterAll(async () => {
    await t.dataSource.query(`DELETE FROM targets`);
    await t.close();
  });

  it('should answer 401 without a token and 403 to a non-admin, on every route', async () => {
    const human = await registerUser(t);
    const id = (await createTarget(t, admin, httpTargetBody())).id;
    const routes: Array<[string, string]> = [
      ['POST', TARGETS],
      ['GET', TARGETS],
      ['GET', `${TARGETS}/${id}`],
      ['PATCH', `${TARGETS}/${id}`],
      ['DELETE', `${TARGETS}/${id}`],
    ];
    for (const [method, path] of routes) {
      const body = ['POST', 'PATCH'].includes(method) ? httpTargetBody() : undefined;
      expect((await http(t.url, method, path, { body })).status).toBe(401);
      const res = await http(t.url, method, path, { token: human.accessToken, body });
      expect({ method, path, status: res.status }).toEqual({ method, path, status: 403 });
    }
    expect((await call('GET', `${TARGETS}/${id}`)).status).toBe(200);
  });

  it('should create, read, list, update and delete an HTTP target, answering header names only', async () => {
    const body = httpTargetBody({
      headers: { Authorization: `Bearer ${headerSecret}`, 'X-Team': headerSecret },
      semantics: MEMORY_SEMANTICS,
    });
    const created = await call('POST', TARGETS, body);
    expect(created.status).toBe(201);
    expect(created.body).toEqual({
      id: expect.any(String),
      name: body.name,
      kind: 'http',
      url: 'https://mcp.example.com/mcp',
      command: null,
      args: [],
      headerNames: ['Authorization', 'X-Team'],
      envNames: [],
      semanticsTools: ['create_entities', 'read_graph'],
      personas: 0,
      createdAt: expect.any(String),
      updatedAt: expect.any(String),
    });
    const id = created.body.id as string;
    expect((await call('GET', `${TARGETS}/${id}`)).body).toEqual(created.body);

    const renamed = await call('PATCH', `${TARGETS}/${id}`, {
      name: `${body.name}-renamed`,
      semantics: null,
    });
    expect(renamed.status).toBe(200);
    expect(renamed.body).toMatchObject({
      name: `${body.name}-renamed`,
      headerNames: ['Authorization', 'X-Team'],
      semanticsTools: [],
    });
    // headers omitted: kept, values and all
    const codec = t.app.get(TargetSecretsCodec);
    const sealed = async () =>
      (await t.dataSource.query(`SELECT secrets FROM targets WHERE id = $1`, [id]))[0].secrets as string;
    expect(codec.openTarget(id, await sealed()).headers).toEqual(body.headers);
    // given: the whole map is replaced
    const replaced = await call('PATCH', `${TARGETS}/${id}`, { headers: { 'X-Api-Key': headerSecret } });
    expect(replaced.body.headerNames).toEqual(['X-Api-Key']);
    expect(codec.openTarget(id, await sealed())).toEqual({ headers: { 'X-Api-Key': headerSecret }, env: {} });
    // null: cleared
    expect((await call('PATCH', `${TARGETS}/${id}`, { headers: null })).body.headerNames).toEqual([]);
    expect(codec.openTarget(id, await sealed()).headers).toEqual({});

    expect((await call('DELETE', `${TARGETS}/${id}`)).status).toBe(204);
    expect((await call('GET', `${TARGETS}/${id}`)).status).toBe(404);
  });

  it('should split a stdio command line, or take command and args as given, answering env names only', async () => {
    const split = await call(
      'POST',
      TARGETS,
      stdioTargetBody({
        command: `node "my server.js" --data '/tmp/a b'`,
        env: { API_KEY: envSecret, MEMORY_FILE_PATH: '/tmp/m.jsonl' },
      }),
    );
    expect(split.status).toBe(201);
    expect(split.body).toMatchObject({
      kind: 'stdio',
      url: null,
      command: 'node',
      args: ['my server.js', '--data', '/tmp/a b'],
      headerNames: [],
      envNames: ['API_KEY', 'MEMORY_FILE_PATH'],
    });
    const given = await call(
      'POST',
      TARGETS,
      stdioTargetBody({ command: '/opt/my server', args: ['--x', 'a b'] }),
    );
    expect(given.body).toMatchObject({ command: '/opt/my server', args: ['--x', 'a b'] });
  });

  it('should switch a target to the other kind only with that kind’s fields, dropping the old ones', async () => {
    const { id } = await createTarget(t, admin, httpTargetBody({ headers: { 'X-Key': headerSecret } }));
    const bare = await call('PATCH', `${TARGETS}/${id}`, { kind: 'stdio' });
    expect(bare).toMatchObject({ status: 400, body: { message: 'command is required for a stdio target' } });
    const switched = await call('PATCH', `${TARGETS}/${id}`, {
      kind: 'stdio',
      command: 'node s.js',
      env: { K: envSecret },
    });
    expect(switched.status).toBe(200);
    expect(switched.body).toMatchObject({
      kind: 'stdio',
      url: null,
      command: 'node',
      args: ['s.js'],
      headerNames: [],
      envNames: ['K'],
    });
    const back = await call('PATCH', `${TARGETS}/${id}`, { kind: 'http', url: 'http://127.0.0.1:9/mcp' });
    expect(back.body).toMatchObject({
      kind: 'http',
      command: null,
      args: [],
      envNames: [],
      url: 'http://127.0.0.1:9/mcp',
    });
  });

  it('should page the list newest first with a cursor, and count the personas of each target', async () => {
    const made = [];
    for (let i = 0; i < 3; i += 1) made.push((await createTarget(t, admin, httpTargetBody())).id);
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const res = await call('GET', `${TARGETS}?limit=2${cursor ? `&cursor=${cursor}` : ''}`);
      expect(res.status).toBe(200);
      expect(res.body.items.length).toBeLessThanOrEqual(2);
      seen.push(...res.body.items.map((i: { id: string }) => i.id));
      cursor = res.body.nextCursor;
    } while (cursor);
    expect(new Set(seen).size).toBe(seen.length);
    expect(seen.slice(0, 3)).toEqual([...made].reverse());
    expect((await call('GET', `${TARGETS}?cursor=bm90LWEtY3Vyc29y`)).body).toMatchObject({
      statusCode: 400,
      message: expect.stringMatching(/^cursor is not valid/),
    });
    expect((await call('GET', `${TARGETS}?limit=0`)).status).toBe(400);
  });

  it('should refuse a second target of the same name, ignoring case, naming the field', async () => {
    const first = await createTarget(t, admin, httpTargetBody());
    const again = await call('POST', TARGETS, httpTargetBody({ name: `  ${first.name.toUpperCase()} ` }));
    expect(again).toMatchObject({
      status: 409,
      body: { message: expect.stringMatching(/^name: a target named/) },
    });
    const other = await createTarget(t, admin, httpTargetBody());
    const rename = await call('PATCH', `${TARGETS}/${other.id}`, { name: first.name });
    expect(rename.status).toBe(409);
  });

  describe('validation: a 400 naming the field, never a 500', () => {
    const bad: Array<[string, Record<string, unknown>, RegExp]> = [
      ['a missing name', { name: undefined }, /^name must be a string/],
      ['a blank name', { name: '   ' }, /^name must not be blank/],
      ['an unknown kind', { kind: 'ftp' }, /^kind must be one of http, stdio/],
      ['a missing url', { url: undefined }, /^url is required for an http target/],
      ['a url that is not one', { url: 'not a url' }, /^url is not a URL/],
      ['a non-http url', { url: 'ftp://mcp.example.com/mcp' }, /^url is not an http\(s\) URL/],
      [
        'a url with credentials',
        { url: 'https://me:pw@mcp.example.com/mcp' },
        /^url must not carry credentials/,
      ],
      [
        'a bad header name',
        { headers: { 'Bad Name': 'x' } },
        /^headers: "Bad Name" is not a valid header name/,
      ],
      [
        'a header value with a line break',
        { headers: { 'X-A': `${headerSecret}\r\nInjected: yes` } },
        /^headers: the value of header "X-A" contains a line break/,
      ],
      [
        'a header value that is no string',
        { headers: { 'X-A': 5 } },
        /^headers: the value of header "X-A" must be a string/,
      ],
      [
        'a header the transport writes',
        { headers: { 'Mcp-Session-Id': 'x' } },
        /^headers: "Mcp-Session-Id" is written by the MCP transport/,
      ],
      ['headers that are no map', { headers: ['X-A: 1'] }, /^headers must be an object/],
      ['a command on an http target', { command: 'node s.js' }, /^command is only for stdio targets/],
      [
        'bad semantics',
        { semantics: { tools: { x: { effect: 'explode' } } } },
        /^semantics does not match catalog\/semantics\.schema\.json: \/tools\/x/,
      ],
      ['semantics that are no document', { semantics: 'everything' }, /^semantics does not match/],
      ['an unknown field', { colour: 'blue' }, /property colour should not exist/],
    ];
    it.each(bad)('should refuse %s on an http target', async (_, overrides, message) => {
      const res = await call('POST', TARGETS, httpTargetBody(overrides));
      expect({ status: res.status, message: res.body.message }).toEqual({
        status: 400,
        message: expect.stringMatching(message),
      });
    });

    const badStdio: Array<[string, Record<string, unknown>, RegExp]> = [
      ['a bad env name', { env: { '1BAD': 'x' } }, /^env: "1BAD" is not an environment variable name/],
      ['an env value that is no string', { env: { OK: true } }, /^env: the value of OK must be a string/],
      ['an unclosed quote', { command: 'node "server.js' }, /^command: unclosed " in the command line/],
      ['an empty command', { command: '' }, /^command must be 1–4096 characters/],
      ['args that are no strings', { command: 'node', args: [1] }, /args must be an array of strings/],
      ['a url on a stdio target', { url: 'https://mcp.example.com/mcp' }, /^url is only for http targets/],
      ['headers on a stdio target', { headers: { 'X-A': '1' } }, /^headers is only for http targets/],
    ];
    it.each(badStdio)('should refuse %s on a stdio target', async (_, overrides, message) => {
      const res = await call('POST', TARGETS, stdioTargetBody(overrides));
      expect({ status: res.status, message: res.body.message }).toEqual({
        status: 400,
        message: expect.stringMatching(message),
      });
    });

    it('should refuse null for a field PATCH cannot clear, and answer 400 for a bad id and 404 for an unknown one', async () => {
      const { id } = await createTarget(t, admin, httpTargetBody());
      expect((await call('PATCH', `${TARGETS}/${id}`, { name: null })).body.message).toMatch(
        /^name must be a string/,
      );
      expect((await call('PATCH', `${TARGETS}/${id}`, { url: null })).body.message).toMatch(
        /^url must be a string/,
      );
      for (const method of ['GET', 'PATCH', 'DELETE']) {
        const bad = await call(
          method,
          `${TARGETS}/not-a-uuid`,
          method === 'PATCH' ? { name: 'x' } : undefined,
        );
        expect({ method, status: bad.status, message: bad.body.message }).toEqual({
          method,
          status: 400,
          message: 'id must be a UUID (a target id)',
        });
        const unknown = randomUUID();
        const missing = await call(
          method,
          `${TARGETS}/${unknown}`,
          method === 'PATCH' ? { name: 'x' } : undefined,
        );
        expect({ method, status: missing.status, message: missing.body.message }).toEqual({
          method,
          status: 404,
          message: `No target with id ${unknown}`,
        });
      }
    });
  });

  it('should store header and env values only encrypted, bound to their row', async () => {
    const target = await createTarget(t, admin, httpTargetBody({ headers: { 'X-Key': headerSecret } }));
    const stdio = await createTarget(t, admin, stdioTargetBody({ env: { KEY: envSecret } }));
    const rows = await t.dataSource.query(`SELECT * FROM targets WHERE id = ANY($1::uuid[])`, [
      [target.id, stdio.id],
    ]);
    expect(rows).toHaveLength(2);
    for (const row of rows) expect(row.secrets).toMatch(/^enc:1:/);
    const dump = JSON.stringify(rows);
    for (const secret of secrets) expect(dump).not.toContain(secret);
    const codec = t.app.get(TargetSecretsCodec);
    const wire = rows.find((r: { id: string }) => r.id === target.id).secrets;
    expect(() => codec.openTarget(stdio.id, wire)).toThrow(/authentication failed/);
  });

  it('should reverse its migration and apply it again', async () => {
    const runner = t.dataSource.createQueryRunner();
    const columns = async () =>
      (
        await runner.query(
          `SELECT column_name FROM information_schema.columns WHERE table_name = 'personas' AND column_name LIKE 'target%' ORDER BY 1`,
        )
      ).map((r: { column_name: string }) => r.column_name);
    await runner.startTransaction();
    try {
      await runner.query(`UPDATE personas SET target_id = NULL, target_secrets = NULL`);
      await runner.query(`DELETE FROM targets`);
      await new Targets1763700013000().down(runner);
      expect(await columns()).toEqual([]);
      expect((await runner.query(`SELECT to_regclass('targets') AS t`))[0].t).toBeNull();
      await new Targets1763700013000().up(runner);
      expect(await columns()).toEqual(['target_header_names', 'target_id', 'target_secrets']);
    } finally {
      await runner.rollbackTransaction();
      await runner.release();
    }
    expect((await call('GET', TARGETS)).status).toBe(200);
  });

  it('should never answer or log a header or env value', () => {
    // the capture works: the log holds the suite's requests and the targets' names
    expect(logs.some((l) => l.includes('/api/v1/targets'))).toBe(true);
    expect(
      logs.some((l) => /target [0-9a-f-]{36} .+ created \(http https:\/\/mcp\.example\.com/.test(l)),
    ).toBe(true);
    const everything = [...answers, ...logs].join('\n');
    for (const secret of secrets) expect(everything).not.toContain(secret);
  });
});
