import { RunnerService } from '../../src/runner/runner.service.js';
import { SpacesService } from '../../src/spaces/spaces.service.js';
import type { TestApp } from '../support/test-app.js';
import { createPersona } from '../support/personas.js';
import {
  actionsOf,
  bootRunnerApp,
  feedbackOf,
  parkAllPersonas,
  personaRow,
  runner,
  runnerPersona,
  ticksOf,
} from './runner.fixtures.js';
import { closeRunnerApp } from '../support/runner-app.js';

describe(`${RunnerService.name} with the scripted brain`, () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await bootRunnerApp({ PERSONA_BRAIN: 'scripted', PERSONA_SEED: 'scripted-e2e' });
  });
  afterAll(() => closeRunnerApp(t));
  beforeEach(() => parkAllPersonas(t));

  it('should play a full day through /mcp and record actions, feedback and an ok tick', async () => {
    const persona = await createPersona(
      t,
      runnerPersona({
        archetype: 'solo-dev',
        moduleMix: { todo: 3, notes: 2, journal: 2 },
        timezone: 'Europe/Berlin',
      }),
    );
    const before = await personaRow(t, persona.userId);
    expect(before.next_due_at).toBeNull();

    const summary = await runner(t).runDue();

    expect(summary).toMatchObject({ ticks: 1, ok: 1, failed: 0, timedOut: 0 });
    const [result] = summary.results;
    expect(result).toMatchObject({
      personaId: persona.userId,
      status: 'ok',
      brain: 'scripted',
      recorded: true,
    });
    expect(result.toolCalls).toBeGreaterThan(0);

    const [tick] = await ticksOf(t, persona.userId);
    expect(tick).toMatchObject({
      id: result.tickId,
      status: 'ok',
      brain: 'scripted',
      model: null,
      error: null,
    });
    expect(tick.finished_at).not.toBeNull();
    expect(tick.tool_calls).toBe(result.toolCalls);
    expect(Number(tick.tokens_in)).toBe(0);
    expect(Number(tick.cost_usd)).toBe(0);

    // every call in the audit trail, in order, with a hash of its input and a measured latency
    // (the persona's own calls, origin `brain`, and the oracle engine's read-backs and probes between them)
    const actions = await actionsOf(t, tick.id);
    expect(actions.filter((a: { origin: string }) => a.origin === 'brain')).toHaveLength(result.toolCalls);
    expect(actions.map((a: { seq: number }) => a.seq)).toEqual(actions.map((_: unknown, i: number) => i + 1));
    for (const a of actions) {
      expect(a.persona_id).toBe(persona.userId);
      expect(a.tool_name).toMatch(/^[a-z]+\.[a-z_]+$/);
      expect(a.module).toBe(a.tool_name.split('.')[0]);
      expect(a.input_hash).toMatch(/^[0-9a-f]{64}$/);
      expect(a.latency_ms).toEqual(expect.any(Number));
      expect(a.latency_ms).toBeGreaterThanOrEqual(0);
      if (a.result === 'error') expect(['tool', 'protocol', 'timeout']).toContain(a.error_kind);
    }

    // the rows exist in the app's own tables, written by the persona through MCP
    const created = await t.dataSource.query(
      `SELECT (SELECT count(*) FROM tasks WHERE created_by = $1)::int AS tasks,
              (SELECT count(*) FROM notes WHERE created_by = $1)::int AS notes,
              (SELECT count(*) FROM journal_entries WHERE created_by = $1)::int AS journal`,
      [persona.userId],
    );
    const okCreates = actions.filter(
      (a: { result: string; tool_name: string }) =>
        a.result === 'ok' && ['todo.create', 'notes.create', 'journal.add'].includes(a.tool_name),
    );
    expect(okCreates.length).toBeGreaterThan(0);
    expect(created[0].tasks + created[0].notes + created[0].journal).toBe(okCreates.length);

    // one rating per module used, 1–5, with notes that say why
    const own = actions.filter((a: { origin: string }) => a.origin === 'brain');
    const modulesUsed = [...new Set(own.map((a: { module: string }) => a.module))].sort();
    const feedback = await feedbackOf(t, tick.id);
    expect(feedback.map((f: { module: string }) => f.module)).toEqual(modulesUsed);
    for (const f of feedback) {
      expect(f.rating).toBeGreaterThanOrEqual(1);
      expect(f.rating).toBeLessThanOrEqual(5);
      // the persona's own words about what it did that day, not a template of counts
      expect(f.notes).toMatch(/\b(I|I'm|I’m|my|me)\b/);
      expect(f.notes.length).toBeGreaterThan(20);
    }
    expect(tick.rating_error).toBeNull();

    // the persona rests a day: next_due_at ~24 h ahead by the database clock, lease released
    const after = await personaRow(t, persona.userId);
    expect(after.due_in_future).toBe(true);
    expect(Number(after.due_in_s)).toBeGreaterThan(23.9 * 3600);
    expect(Number(after.due_in_s)).toBeLessThanOrEqual(24 * 3600);
    expect(after.last_active_at).not.toBeNull();
    expect(after.consecutive_failures).toBe(0);
    expect(after).toMatchObject({ lease_owner: null, lease_expires_at: null, lease_token: null });

    // not due any more: the next firing has nothing to do
    const again = await runner(t).runDue();
    expect(again.ticks).toBe(0);
  });

  it('should act in a space it shares with another persona, through X-Mana-Space', async () => {
    const owner = await createPersona(
      t,
      runnerPersona({ archetype: 'creative-parent', moduleMix: { spaces: 1 } }),
    );
    const partner = await createPersona(
      t,
      runnerPersona({ archetype: 'creative-parent', moduleMix: { spaces: 1 } }),
    );
    const spaces = t.app.get(SpacesService);
    const family = await spaces.create(owner.userId, 'The Runner Family', 'family');
    await spaces.addMember(owner.userId, family.id, partner.email);

    const summary = await runner(t).runDue();
    expect(summary).toMatchObject({ ticks: 2, ok: 2 });
    const rows = await t.dataSource.query(
      `SELECT created_by FROM tasks WHERE space_id = $1
        UNION ALL SELECT created_by FROM calendar_events WHERE space_id = $1`,
      [family.id],
    );
    expect(rows.map((r: { created_by: string }) => r.created_by).sort()).toEqual(
      [owner.userId, partner.userId].sort(),
    );
    for (const persona of [owner, partner]) {
      const [tick] = await ticksOf(t, persona.userId);
      const actions = await actionsOf(t, tick.id);
      expect(actions[0]).toMatchObject({ tool_name: 'spaces.list', result: 'ok' });
      expect(actions[1].result).toBe('ok');
    }
  });
});
