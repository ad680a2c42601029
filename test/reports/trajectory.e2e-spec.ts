import { randomUUID } from 'node:crypto';
import { TrajectoryRetentionService } from '../../src/personas/audit/trajectory-retention.service.js';
import type { TestApp } from '../support/test-app.js';
import { http } from '../support/http.js';
import { createAdmin } from '../support/factories.js';
import type { TestUser } from '../support/factories.js';
import { createPersona } from '../support/personas.js';
import { leaseTick } from '../support/leases.js';
import { INTERNAL_BASE } from '../personas/personas-support.js';
import { bootRunnerApp, parkAllPersonas, runner, runnerPersona } from '../runner/runner.fixtures.js';

const MAX_BYTES = 512;
const JWT = 'eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.c2lnbmF0dXJlLXNpZ25hdHVyZQ';

interface DetailAction {
  seq: number;
  tool: string;
  origin: string;
  input: string | null;
  output: string | null;
  inputTruncated: boolean;
  outputTruncated: boolean;
}

describe('The trajectory: what each recorded call sent and what the app answered', () => {
  let t: TestApp;
  let admin: TestUser;
  let personaId: string;
  let playedTick: string;

  beforeAll(async () => {
    t = await bootRunnerApp({
      PERSONA_BRAIN: 'scripted',
      PERSONA_SEED: 'trajectory-e2e',
      TRAJECTORY_MAX_BYTES: String(MAX_BYTES),
    });
    admin = await createAdmin(t);
    await parkAllPersonas(t);
    personaId = (await createPersona(t, runnerPersona({ moduleMix: { todo: 1 } }), admin)).userId;
    const summary = await runner(t).runDue();
    expect(summary).toMatchObject({ ticks: 1, ok: 1 });
    playedTick = summary.results[0].tickId as string;
  });
  afterAll(async () => {
    await parkAllPersonas(t);
    await t.close();
  });

  const detail = async (tickId: string) => {
    const res = await http(t.url, 'GET', `/api/v1/reports/ticks/${tickId}`, { token: admin.accessToken });
    expect(res.status).toBe(200);
    return res.body as { words: string[]; actions: DetailAction[]; findings: Array<{ seq: number | null }> };
  };

  const record = async (actions: Array<Record<string, unknown>>) => {
    const { tickId, leaseToken } = await leaseTick(t, personaId);
    const res = await http(t.url, 'POST', `${INTERNAL_BASE}/${personaId}/actions`, {
      headers: { 'x-service-key': t.config.serviceKey },
      body: { leaseToken, actions: actions.map((a, i) => ({ tickId, seq: i + 1, result: 'ok', ...a })) },
    });
    return { res, tickId };
  };

  it('should answer every call of a played day with its input and answer, and the persona’s words', async () => {
    const tick = await detail(playedTick);
    const created = tick.actions.find((a) => a.tool === 'todo.create' && a.origin === 'brain');
    expect(created).toBeDefined();
    const input = JSON.parse(created!.input as string) as Record<string, unknown>;
    expect(typeof input.title).toBe('string');
    expect(created!.output).toContain(input.title as string);
    expect(tick.actions.every((a) => a.output !== null)).toBe(true);
    // the scripted brain's day, told from what it did
    expect(tick.words.length).toBeGreaterThan(1);
    // (which module comes first follows the day the brain drew for this persona; it added a task)
    expect(tick.words.filter((line) => /^Todo: I (added|changed|looked)/.test(line))).toHaveLength(1);

    // stored encrypted with the persona's key: the database holds none of the persona's text
    const stored: Array<{ input: string; output: string }> = await t.dataSource.query(
      `SELECT input, output FROM persona_actions WHERE tick_id = $1`,
      [playedTick],
    );
    for (const row of stored) {
      expect(row.input).toMatch(/^enc:1:/);
      expect(row.output).toMatch(/^enc:1:/);
      expect(`${row.input}${row.output}`).not.toContain(input.title as string);
    }
  });

  it('should never store or answer a password, a bearer token or a JWT the persona sent', async () => {
    const { res, tickId } = await record([
      {
        toolName: 'todo.create',
        input: JSON.stringify({
          title: 'Ship the release',
          password: 'hunter22-horse',
          note: 'call it with Authorization: Bearer abcdefghijklmnopqrstuvwxyz0123',
        }),
        output: JSON.stringify({ task: { title: 'Ship the release' }, session: JWT }),
      },
    ]);
    expect(res.status).toBe(200);
    const [kept] = (await detail(tickId)).actions;
    expect(kept.input).toContain('Ship the release');
    expect(kept.input).toContain('"password":"[redacted]"');
    expect(kept.input).toContain('Bearer [redacted]');
    expect(kept.output).toContain('Ship the release');
    for (const secret of ['hunter22-horse', 'abcdefghijklmnopqrstuvwxyz0123', JWT.slice(0, 30)]) {
      expect(`${kept.input}${kept.output}`).not.toContain(secret);
    }
    const [row]: Array<{ input: string; output: string }> = await t.dataSource.query(
      `SELECT input, output FROM persona_actions WHERE tick_id = $1`,
      [tickId],
    );
    expect(`${row.input}${row.output}`).not.toMatch(/hunter22|abcdefghijklmnop|Ship the release/);
  });

  it('should cut an input over TRAJECTORY_MAX_BYTES and mark the cut', async () => {
    const long = JSON.stringify({ title: 'x'.repeat(3000) });
    const { res, tickId } = await record([{ toolName: 'notes.create', input: long, output: 'short answer' }]);
    expect(res.status).toBe(200);
    const [kept] = (await detail(tickId)).actions;
    expect(kept.inputTruncated).toBe(true);
    expect(kept.outputTruncated).toBe(false);
    expect(kept.input).toMatch(new RegExp(`…\\[cut: ${MAX_BYTES} of ${long.length} bytes\\]$`));
    expect(Buffer.byteLength(kept.input as string)).toBeLessThan(MAX_BYTES + 40);
    expect(kept.output).toBe('short answer');
  });

  it('should refuse an input that is not text with a 400 naming it', async () => {
    const { res } = await record([
      { toolName: 'todo.create', input: { title: 'not text' }, inputTruncated: 'yes' },
    ]);
    expect(res.status).toBe(400);
    expect(res.body.message).toContain('actions[0].input must be a string');
    expect(res.body.message).toContain('actions[0].inputTruncated must be true or false');
  });

  it('should answer 404, not 500, for calls with content of a persona that does not exist', async () => {
    const ghost = randomUUID();
    const res = await http(t.url, 'POST', `${INTERNAL_BASE}/${ghost}/actions`, {
      headers: { 'x-service-key': t.config.serviceKey },
      body: {
        leaseToken: randomUUID(),
        actions: [
          { tickId: randomUUID(), seq: 1, toolName: 'todo.create', result: 'ok', input: '{"title":"x"}' },
        ],
      },
    });
    expect(res.status).toBe(404);
    expect(res.body.message).toContain(ghost);
    const keys = await t.dataSource.query(`SELECT 1 FROM user_keys WHERE user_id = $1`, [ghost]);
    expect(keys).toHaveLength(0);
  });

  it('should prune inputs and answers past TRAJECTORY_RETENTION_DAYS and keep the action rows', async () => {
    const { tickId: old } = await record([
      { toolName: 'todo.create', input: '{"title":"old"}', output: 'old' },
    ]);
    const { tickId: recent } = await record([
      { toolName: 'todo.create', input: '{"title":"new"}', output: 'new' },
    ]);
    await t.dataSource.query(
      `UPDATE persona_actions SET created_at = now() - interval '31 days' WHERE tick_id = $1`,
      [old],
    );
    const cleared = await t.app.get(TrajectoryRetentionService).prune();
    expect(cleared).toBeGreaterThanOrEqual(1);

    const rows: Array<{ tick_id: string; input: string | null; output: string | null; tool_name: string }> =
      await t.dataSource.query(
        `SELECT tick_id, input, output, tool_name FROM persona_actions WHERE tick_id = ANY($1::uuid[])`,
        [[old, recent]],
      );
    const byTick = new Map(rows.map((r) => [r.tick_id, r]));
    expect(byTick.get(old)).toMatchObject({ input: null, output: null, tool_name: 'todo.create' });
    expect(byTick.get(recent)?.input).toMatch(/^enc:1:/);
    const [pruned] = (await detail(old)).actions;
    expect(pruned).toMatchObject({ tool: 'todo.create', input: null, output: null });
    expect((await detail(recent)).actions[0].input).toBe('{"title":"new"}');
  });
});
