import { randomUUID } from 'node:crypto';
import { PersonaScheduleRepository } from '../../src/personas/schedule/persona-schedule.repository.js';
import { PersonasAdminController } from '../../src/personas/api/personas-admin.controller.js';
import { TargetSecretsCodec } from '../../src/personas/targets/target-secrets.codec.js';
import { createAdmin } from '../support/factories.js';
import type { TestUser } from '../support/factories.js';
import { http } from '../support/http.js';
import { ADMIN_BASE, personaBody } from '../support/personas.js';
import { bootTestApp } from '../support/test-app.js';
import type { TestApp } from '../support/test-app.js';
import {
  LOUD_LOGS,
  TARGETS,
  captureLogs,
  createTarget,
  removeTargets,
  distinctSecret,
  httpTargetBody,
  stdioTargetBody,
} from './targets-support.js';

describe(`${PersonasAdminController.name}: a persona's target`, () => {
  let t: TestApp;
  let admin: TestUser;
  const logs: string[] = [];
  const headerSecret = distinctSecret('header');
  const personaSecret = distinctSecret('persona');
  /** Every answer of the suite, searched for the secrets at the end. */
  const answers: string[] = [];

  const call = async (method: string, path: string, body?: unknown) => {
    const res = await http(t.url, method, path, { token: admin.accessToken, body });
    answers.push(res.text);
    return res;
  };
  const upsertPersona = (overrides: Record<string, unknown>) =>
    call('POST', ADMIN_BASE, personaBody(t, overrides));

  beforeAll(async () => {
    t = await bootTestApp(LOUD_LOGS);
    captureLogs(logs);
    admin = await createAdmin(t);
  });
  afterAll(async () => {
    await removeTargets(t, admin);
    await t.close();
  });

  it('should refuse an unknown target, a malformed one, and headers without a target, naming the field', async () => {
    const unknown = await upsertPersona({ target: randomUUID() });
    expect(unknown).toMatchObject({
      status: 400,
      body: { message: expect.stringMatching(/^target: there is no target/) },
    });
    const malformed = await upsertPersona({ target: 'staging' });
    expect(malformed.body.message).toMatch(/^target must be a target id \(a UUID\), or null/);
    const orphan = await upsertPersona({ targetHeaders: { Authorization: `Bearer ${personaSecret}` } });
    expect(orphan.body.message).toMatch(/^targetHeaders need a target/);
    const stdio = await createTarget(t, admin, stdioTargetBody());
    const onStdio = await upsertPersona({ target: stdio.id, targetHeaders: { 'X-A': 'b' } });
    expect(onStdio).toMatchObject({
      status: 400,
      body: { message: expect.stringMatching(/^targetHeaders are only for http targets/) },
    });
    const { id } = await createTarget(t, admin, httpTargetBody());
    const badHeader = await upsertPersona({ target: id, targetHeaders: { 'X-A': 'a\nb' } });
    expect(badHeader.body.message).toMatch(/^targetHeaders: the value of header "X-A" contains a line break/);
  });

  it('should point a persona at a target with its own headers, answer names only, and keep them encrypted', async () => {
    const target = await createTarget(
      t,
      admin,
      httpTargetBody({ headers: { Authorization: `Bearer ${headerSecret}` } }),
    );
    const body = personaBody(t, {
      target: target.id,
      targetHeaders: { authorization: `Bearer ${personaSecret}` },
    });
    const created = await call('POST', ADMIN_BASE, body);
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({
      target: { id: target.id, name: target.name, kind: 'http' },
      targetHeaderNames: ['authorization'],
    });
    const userId = created.body.userId as string;
    // the same body again changes nothing, secrets included
    const again = await call('POST', ADMIN_BASE, body);
    expect({ status: again.status, outcome: again.headers.get('x-persona-outcome') }).toEqual({
      status: 200,
      outcome: 'unchanged',
    });
    const detail = await call('GET', `${ADMIN_BASE}/${userId}`);
    expect(detail.body.persona).toMatchObject({
      target: { id: target.id, name: target.name, kind: 'http' },
      targetHeaderNames: ['authorization'],
    });
    const list = await call('GET', `${ADMIN_BASE}?limit=200`);
    const item = list.body.items.find((i: { userId: string }) => i.userId === userId);
    expect(item.target).toEqual({ id: target.id, name: target.name, kind: 'http' });
    expect((await call('GET', `${TARGETS}/${target.id}`)).body.personas).toBe(1);

    const [row] = await t.dataSource.query(`SELECT target_secrets FROM personas WHERE user_id = $1`, [
      userId,
    ]);
    expect(row.target_secrets).toMatch(/^enc:1:/);
    expect(row.target_secrets).not.toContain(personaSecret);
    // bound to persona and target: the same ciphertext does not open for another target
    const codec = t.app.get(TargetSecretsCodec);
    expect(codec.openPersonaHeaders(userId, target.id, row.target_secrets)).toEqual({
      authorization: `Bearer ${personaSecret}`,
    });
    expect(() => codec.openPersonaHeaders(userId, randomUUID(), row.target_secrets)).toThrow(
      /authentication failed/,
    );

    // in use: the delete is refused, naming how many personas play it
    const refused = await call('DELETE', `${TARGETS}/${target.id}`);
    expect(refused).toMatchObject({
      status: 409,
      body: { message: expect.stringContaining('is played by 1 persona') },
    });
    // another target, no headers given: the persona's headers for the first one are dropped
    const other = await createTarget(t, admin, httpTargetBody());
    const moved = await call('POST', ADMIN_BASE, { ...body, target: other.id, targetHeaders: undefined });
    expect(moved.body).toMatchObject({ target: { id: other.id }, targetHeaderNames: [] });
    const back = await call('POST', ADMIN_BASE, { ...body, target: null, targetHeaders: undefined });
    expect(back.body).toMatchObject({ target: null, targetHeaderNames: [] });
    expect((await call('DELETE', `${TARGETS}/${target.id}`)).status).toBe(204);
  });

  it("should leave a persona on an external target to the in-process runners: a remote runner's claim skips it", async () => {
    const target = await createTarget(t, admin, httpTargetBody());
    const pointed = await upsertPersona({ target: target.id });
    const plain = await upsertPersona({});
    const ids = [pointed.body.userId as string, plain.body.userId as string];
    const repo = t.app.get(PersonaScheduleRepository);
    const owner = `targets-claim-${randomUUID()}`;
    // every due persona is claimed here, then let go again: no tick is opened
    const claimed = async (builtInOnly: boolean) => {
      try {
        const claims = await repo.claimDue(owner, 60_000, 10_000, [], builtInOnly);
        return ids.filter((id) => claims.some((c) => c.userId === id));
      } finally {
        await t.dataSource.query(
          `UPDATE personas SET lease_owner = NULL, lease_expires_at = NULL, lease_token = NULL WHERE lease_owner = $1`,
          [owner],
        );
      }
    };
    expect(await claimed(true)).toEqual([ids[1]]);
    expect(await claimed(false)).toEqual(ids);
    for (const id of ids) await call('DELETE', `${ADMIN_BASE}/${id}`);
  });

  it('should leave a persona made without a target on the built-in app', async () => {
    const res = await upsertPersona({});
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({ target: null, targetHeaderNames: [] });
  });

  it('should never answer or log a header value of a target or a persona', () => {
    expect(logs.some((l) => l.includes(ADMIN_BASE))).toBe(true);
    const everything = [...answers, ...logs].join('\n');
    for (const secret of [headerSecret, personaSecret]) expect(everything).not.toContain(secret);
  });
});
