import { MetricsService } from '../../src/observability/metrics.service.js';
import { SpaceKeysService } from '../../src/crypto/space-keys.service.js';
import { KeyWrapper } from '../../src/crypto/key-wrapper.js';
import { FieldCipher } from '../../src/crypto/field-cipher.js';
import { ZeroKnowledgeUserError } from '../../src/crypto/zero-knowledge-user.error.js';
import { EncryptionVaultController } from '../../src/crypto/encryption-vault.controller.js';
import { SpacesService } from '../../src/spaces/spaces.service.js';
import { bootTestApp } from '../support/test-app.js';
import type { TestApp } from '../support/test-app.js';
import { TEST_PASSWORD, registerUser } from '../support/factories.js';
import { http } from '../support/http.js';
import { callTool, personalSpaceId, toolContext } from './module-tools.js';

let t: TestApp;

beforeAll(async () => {
  t = await bootTestApp();
});
afterAll(() => t?.close());

async function unwraps(): Promise<number> {
  const metric = await t.app.get(MetricsService).registry.getSingleMetric('mana_key_unwraps_total')!.get();
  return metric.values.reduce((s, v) => s + v.value, 0);
}

async function freshUser() {
  const user = await registerUser(t);
  const spaceId = await personalSpaceId(t, user.id);
  return { user, spaceId, ctx: toolContext(t, user.id, spaceId) };
}

describe(SpaceKeysService.name, () => {
  it('should create a personal key lazily on first use, once, under 40 concurrent first calls', async () => {
    const { user, ctx } = await freshUser();
    const before = await t.dataSource.query(`SELECT * FROM user_keys WHERE user_id = $1`, [user.id]);
    expect(before).toHaveLength(0);

    const results = await Promise.all(
      Array.from({ length: 40 }, (_, i) => callTool(t, 'todo.create', { title: `first ${i}` }, ctx)),
    );
    const keys = await t.dataSource.query(
      `SELECT wrapped_key, zero_knowledge FROM user_keys WHERE user_id = $1`,
      [user.id],
    );
    expect(keys).toHaveLength(1);
    expect(keys[0].wrapped_key).toMatch(/^kw:1:/);
    expect(keys[0].zero_knowledge).toBe(false);

    t.app.get(SpaceKeysService).evictAll();
    const list = await callTool(t, 'todo.list', { limit: 100 }, ctx);
    expect(list.items).toHaveLength(40);
    expect(list.items.every((i: { decryptionFailed: boolean }) => !i.decryptionFailed)).toBe(true);
    expect(new Set(list.items.map((i: { title: string }) => i.title))).toEqual(
      new Set(results.map((r) => r.task.title)),
    );
  });

  it('should agree on one key when two server instances create it at the same time', async () => {
    const { user, spaceId } = await freshUser();
    const team = await t.app.get(SpacesService).create(user.id, 'Race', 'team');
    // a second SpaceKeysService with its own empty cache plays the second server instance
    const other = new SpaceKeysService(
      t.dataSource,
      t.app.get(KeyWrapper),
      new FieldCipher(),
      t.app.get(SpacesService),
    );
    const mine = t.app.get(SpaceKeysService);
    const [a, b, c, d] = await Promise.all([
      mine.getSpaceKey(spaceId, user.id),
      other.getSpaceKey(spaceId, user.id),
      mine.getSpaceKey(team.id, user.id),
      other.getSpaceKey(team.id, user.id),
    ]);
    expect(a.equals(b)).toBe(true);
    expect(c.equals(d)).toBe(true);
    const rows = await t.dataSource.query(
      `SELECT (SELECT count(*)::int FROM user_keys WHERE user_id = $1) AS u,
              (SELECT count(*)::int FROM space_keys WHERE space_id = $2) AS s`,
      [user.id, team.id],
    );
    expect(rows[0]).toEqual({ u: 1, s: 1 });
  });

  it('should unwrap a key exactly once under 50 concurrent cache misses', async () => {
    const { user, spaceId, ctx } = await freshUser();
    await callTool(t, 'notes.create', { title: 'warm up', content: 'creates the key' }, ctx);
    const keys = t.app.get(SpaceKeysService);
    keys.evictAll();
    const before = await unwraps();
    const got = await Promise.all(Array.from({ length: 50 }, () => keys.getSpaceKey(spaceId, user.id)));
    expect(await unwraps()).toBe(before + 1);
    expect(got.every((k) => k.length === 32 && k.equals(got[0]))).toBe(true);
    await Promise.all(Array.from({ length: 10 }, () => callTool(t, 'notes.search', { query: 'warm' }, ctx)));
    expect(await unwraps()).toBe(before + 1);
  });

  it('should give a shared space its own key and keep the stored keys wrapped', async () => {
    const { user } = await freshUser();
    const team = await t.app.get(SpacesService).create(user.id, 'Team', 'team');
    const keys = t.app.get(SpaceKeysService);
    const teamKey = await keys.getSpaceKey(team.id, user.id);
    const personal = await keys.getSpaceKey(await personalSpaceId(t, user.id), user.id);
    expect(teamKey.equals(personal)).toBe(false);
    const rows = await t.dataSource.query(`SELECT wrapped_key FROM space_keys WHERE space_id = $1`, [
      team.id,
    ]);
    expect(rows[0].wrapped_key).toMatch(/^kw:1:/);
    expect(rows[0].wrapped_key).not.toContain(teamKey.toString('base64'));
  });
});

describe(FieldCipher.name, () => {
  it('should fail only the tampered row of a list, loudly, and keep the other rows readable', async () => {
    const { ctx } = await freshUser();
    const a = (await callTool(t, 'todo.create', { title: 'row a', description: 'desc a' }, ctx)).task;
    const b = (await callTool(t, 'todo.create', { title: 'row b', description: 'desc b' }, ctx)).task;
    const c = (await callTool(t, 'todo.create', { title: 'row c' }, ctx)).task;

    // b's title: a's title ciphertext moved onto another row (valid ciphertext, wrong AAD)
    const [aRow] = await t.dataSource.query(`SELECT title, description FROM tasks WHERE id = $1`, [a.id]);
    await t.dataSource.query(`UPDATE tasks SET title = $1 WHERE id = $2`, [aRow.title, b.id]);
    // c's title: one flipped character inside the ciphertext
    const [cRow] = await t.dataSource.query(`SELECT title FROM tasks WHERE id = $1`, [c.id]);
    const i = cRow.title.length - 5;
    const flipped = cRow.title.slice(0, i) + (cRow.title[i] === 'A' ? 'B' : 'A') + cRow.title.slice(i + 1);
    await t.dataSource.query(`UPDATE tasks SET title = $1 WHERE id = $2`, [flipped, c.id]);
    // a's description: moved from the title column of the same row
    await t.dataSource.query(`UPDATE tasks SET description = $1 WHERE id = $2`, [aRow.title, a.id]);

    const list = await callTool(t, 'todo.list', { status: 'all' }, ctx);
    const byId = new Map(list.items.map((item: { id: string }) => [item.id, item]));
    expect(list.items).toHaveLength(3);
    expect(byId.get(a.id)).toMatchObject({
      title: 'row a',
      description: null,
      decryptionFailed: true,
      unreadableFields: ['description'],
    });
    expect(byId.get(b.id)).toMatchObject({
      title: null,
      description: 'desc b',
      decryptionFailed: true,
      unreadableFields: ['title'],
    });
    expect(byId.get(c.id)).toMatchObject({
      title: null,
      decryptionFailed: true,
      unreadableFields: ['title'],
    });

    // a search still reports the readable rows and counts the unreadable ones
    await callTool(t, 'notes.create', { title: 'good note', content: 'findable' }, ctx);
    const bad = (await callTool(t, 'notes.create', { title: 'bad note', content: 'findable too' }, ctx)).note;
    await t.dataSource.query(`UPDATE notes SET content = title WHERE id = $1`, [bad.id]);
    const found = await callTool(t, 'notes.search', { query: 'note' }, ctx);
    expect(found.unreadable).toBe(1);
    expect(found.items.map((n: { title: string }) => n.title)).toEqual(['bad note', 'good note']);
    expect(found.items[0]).toMatchObject({ content: null, decryptionFailed: true });
  });

  it('should refuse to store plaintext in an encrypted column (CHECK constraint)', async () => {
    const { ctx } = await freshUser();
    const { task } = await callTool(t, 'todo.create', { title: 'x' }, ctx);
    await expect(
      t.dataSource.query(`UPDATE tasks SET title = 'plain' WHERE id = $1`, [task.id]),
    ).rejects.toThrow(/ck_tasks_title_enc/);
  });
});

describe(EncryptionVaultController.name, () => {
  it('should need a JWT', async () => {
    const body = { password: TEST_PASSWORD };
    expect((await http(t.url, 'POST', '/api/v1/me/encryption-vault/key', { body })).status).toBe(401);
    expect((await http(t.url, 'POST', '/api/v1/me/encryption-vault/zero-knowledge', { body })).status).toBe(
      401,
    );
  });

  it('should refuse a missing or wrong password naming it, and change nothing', async () => {
    const { user } = await freshUser();
    for (const path of ['/api/v1/me/encryption-vault/key', '/api/v1/me/encryption-vault/zero-knowledge']) {
      const missing = await http(t.url, 'POST', path, { token: user.accessToken, body: {} });
      expect(missing.status).toBe(400);
      expect(JSON.stringify(missing.body.message)).toMatch(/password is required/);
      const wrong = await http(t.url, 'POST', path, {
        token: user.accessToken,
        body: { password: `${TEST_PASSWORD}-not` },
      });
      expect(wrong.status).toBe(401);
      expect(wrong.body.message).toMatch(/password is wrong/);
      expect(wrong.text).not.toMatch(/"key"/);
    }
    const status = await http(t.url, 'GET', '/api/v1/me/encryption-vault', { token: user.accessToken });
    expect(status.body.zeroKnowledge).toBe(false);
  });

  it('should answer the old GET export with 405 naming the POST that replaced it', async () => {
    const { user } = await freshUser();
    const res = await http(t.url, 'GET', '/api/v1/me/encryption-vault/key', { token: user.accessToken });
    expect(res.status).toBe(405);
    expect(res.body.message).toMatch(/POST \/api\/v1\/me\/encryption-vault\/key with \{ "password"/);
    expect(res.text).not.toMatch(/"key"/);
  });

  it('should document the re-authentication in the OpenAPI docs', async () => {
    const docs = await http(t.url, 'GET', '/api/docs-json');
    expect(docs.status).toBe(200);
    const post = docs.body.paths['/api/v1/me/encryption-vault/key'].post;
    expect(post.description).toMatch(/account password/);
    expect(post.responses).toHaveProperty('429');
    expect(post.requestBody).toBeDefined();
    expect(docs.body.paths['/api/v1/me/encryption-vault/zero-knowledge'].post.description).toMatch(
      /Rate-limited like login/,
    );
  });

  it('should return the personal key that decrypts the stored rows', async () => {
    const { user, ctx } = await freshUser();
    const status = await http(t.url, 'GET', '/api/v1/me/encryption-vault', { token: user.accessToken });
    expect(status.body.zeroKnowledge).toBe(false);
    const { note } = await callTool(
      t,
      'notes.create',
      { title: 'vault', content: 'client-side readable' },
      ctx,
    );
    const res = await http(t.url, 'POST', '/api/v1/me/encryption-vault/key', {
      token: user.accessToken,
      body: { password: TEST_PASSWORD },
    });
    expect(res.status).toBe(200);
    const key = Buffer.from(res.body.key, 'base64');
    expect(key).toHaveLength(32);
    const [stored] = await t.dataSource.query(`SELECT content FROM notes WHERE id = $1`, [note.id]);
    expect(
      new FieldCipher().decrypt(key, stored.content, { table: 'notes', column: 'content', rowId: note.id }),
    ).toBe('client-side readable');
  });

  it("should return a new user's key (created on demand) and the same key on every call", async () => {
    const { user } = await freshUser();
    const a = await http(t.url, 'POST', '/api/v1/me/encryption-vault/key', {
      token: user.accessToken,
      body: { password: TEST_PASSWORD },
    });
    const b = await http(t.url, 'POST', '/api/v1/me/encryption-vault/key', {
      token: user.accessToken,
      body: { password: TEST_PASSWORD },
    });
    expect(a.status).toBe(200);
    expect(a.body.key).toBe(b.body.key);
  });

  it('should switch to zero-knowledge: key returned once and destroyed; encrypted tools fail, plaintext tools work', async () => {
    const { user, spaceId, ctx } = await freshUser();
    const { task } = await callTool(t, 'todo.create', { title: 'before the switch' }, ctx);
    const family = await t.app.get(SpacesService).create(user.id, 'Family', 'family');
    const familyCtx = toolContext(t, user.id, family.id);
    await callTool(t, 'todo.create', { title: 'family task' }, familyCtx);

    const zk = await http(t.url, 'POST', '/api/v1/me/encryption-vault/zero-knowledge', {
      token: user.accessToken,
      body: { password: TEST_PASSWORD },
    });
    expect(zk.status).toBe(200);
    expect(zk.body.zeroKnowledge).toBe(true);
    expect(zk.body.message).toMatch(/destroyed its copy/);
    const key = Buffer.from(zk.body.key, 'base64');
    const [stored] = await t.dataSource.query(`SELECT title FROM tasks WHERE id = $1`, [task.id]);
    expect(
      new FieldCipher().decrypt(key, stored.title, { table: 'tasks', column: 'title', rowId: task.id }),
    ).toBe('before the switch');
    const [keyRow] = await t.dataSource.query(`SELECT * FROM user_keys WHERE user_id = $1`, [user.id]);
    expect(keyRow).toMatchObject({ wrapped_key: null, zero_knowledge: true });

    const again = await http(t.url, 'POST', '/api/v1/me/encryption-vault/key', {
      token: user.accessToken,
      body: { password: TEST_PASSWORD },
    });
    expect(again.status).toBe(409);
    expect(again.body.message).toMatch(/zero-knowledge/);
    expect(again.text).not.toContain(zk.body.key);
    const twice = await http(t.url, 'POST', '/api/v1/me/encryption-vault/zero-knowledge', {
      token: user.accessToken,
      body: { password: TEST_PASSWORD },
    });
    expect(twice.status).toBe(409);
    expect(twice.text).not.toContain(zk.body.key);

    // the cache was evicted: the very next encrypted call fails with the zero-knowledge message
    for (const [name, input] of [
      ['todo.list', {}],
      ['todo.create', { title: 'after' }],
      ['notes.search', { query: 'x' }],
      ['journal.add', { content: 'x' }],
      ['mood.log', { level: 5, emotion: 'calm' }],
      ['calendar.list_events', { from: '2030-01-01', to: '2030-02-01' }],
      ['contacts.create', { name: 'x' }],
    ] as const) {
      const error = await callTool(t, name, input, ctx).then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(error).toBeInstanceOf(ZeroKnowledgeUserError);
      expect((error as ZeroKnowledgeUserError).code).toBe('ZERO_KNOWLEDGE');
      expect((error as Error).message).toMatch(/zero-knowledge mode/);
      expect((error as Error).message).toMatch(/habits, spaces\) still work/);
    }
    const notWritten = await t.dataSource.query(`SELECT count(*)::int AS n FROM tasks WHERE space_id = $1`, [
      spaceId,
    ]);
    expect(notWritten[0].n).toBe(1);
    // plaintext tools keep working
    const { habit } = await callTool(t, 'habits.create', { title: 'still works' }, ctx);
    expect((await callTool(t, 'habits.log', { habitId: habit.id }, ctx)).created).toBe(true);
    expect((await callTool(t, 'spaces.list', {}, ctx)).items.length).toBe(2);
    // shared spaces keep their own server-held key
    expect(
      (await callTool(t, 'todo.list', {}, familyCtx)).items.map((i: { title: string }) => i.title),
    ).toEqual(['family task']);
  });

  it('should not hand out another user key: each caller gets only their own', async () => {
    const a = await freshUser();
    const b = await freshUser();
    const ka = await http(t.url, 'POST', '/api/v1/me/encryption-vault/key', {
      token: a.user.accessToken,
      body: { password: TEST_PASSWORD },
    });
    const kb = await http(t.url, 'POST', '/api/v1/me/encryption-vault/key', {
      token: b.user.accessToken,
      body: { password: TEST_PASSWORD },
    });
    expect(ka.status).toBe(200);
    expect(kb.status).toBe(200);
    expect(ka.body.key).not.toBe(kb.body.key);
  });

  it('should rate-limit the re-authenticated routes like login: 429 with Retry-After', async () => {
    const user = await registerUser(t);
    const limit = t.config.authRateLimitPerEmail;
    const attempt = (password: string) =>
      http(t.url, 'POST', '/api/v1/me/encryption-vault/key', { token: user.accessToken, body: { password } });
    for (let i = 1; i < limit; i += 1) expect((await attempt(`wrong-${i}`)).status).toBe(401);
    expect((await attempt(TEST_PASSWORD)).status).toBe(200);
    // the budget is per account and counts every attempt: even the right password waits now
    const blocked = await attempt(TEST_PASSWORD);
    expect(blocked.status).toBe(429);
    expect(blocked.body.message).toMatch(/Too many vault attempts/);
    expect(Number(blocked.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(blocked.text).not.toMatch(/"key"/);
    const zk = await http(t.url, 'POST', '/api/v1/me/encryption-vault/zero-knowledge', {
      token: user.accessToken,
      body: { password: TEST_PASSWORD },
    });
    expect(zk.status).toBe(429);
    // another account has its own budget
    const other = await registerUser(t);
    const theirs = await http(t.url, 'POST', '/api/v1/me/encryption-vault/key', {
      token: other.accessToken,
      body: { password: TEST_PASSWORD },
    });
    expect(theirs.status).toBe(200);
  });
});
