import { FAULT_CATALOG } from '../../src/faults/fault-catalog.js';
import type { FaultDefect } from '../../src/faults/fault-catalog.js';
import { ScriptedBrain } from '../../src/runner/brains/scripted/scripted.brain.js';
import { CONFUSED_ARCHETYPE } from '../../src/runner/brains/scripted-content.js';
import { ToolRegistry } from '../../src/tools/tool.registry.js';
import { clearAllFaults } from '../faults/faults-support.js';
import { bootRunnerApp, parkAllPersonas } from '../runner/runner.fixtures.js';
import { createAdmin } from '../support/factories.js';
import type { TestUser } from '../support/factories.js';
import { http } from '../support/http.js';
import type { TestApp } from '../support/test-app.js';
import { callsOfTicks, findingsOfTicks, seedCatalogPersonas, seededRunner } from './findings-support.js';
import type { SeededCatalogPersona } from './findings-support.js';

/** Simulated days of the clean run: every catalog persona ticks once per day, each day its own seed. */
const CLEAN_DAYS = 3;
/**
 * A planted defect must be found within the first USES_TO_DETECT ticks that call its tool (most are
 * found at the first; an ignored `limit` only shows once the space holds more rows than the limit).
 * The scripted brain plays 2–3 modules of the mix a day, drawn by weight, so the loop runs at most
 * MAX_TICKS ticks to reach those uses.
 */
const USES_TO_DETECT = 3;
const MAX_TICKS = 60;
/**
 * Slow defects are planted with a delay whose jittered low end (−50 %) is still above
 * FINDING_SLOW_MS (2000 ms by default), so every slowed call is a `slow` finding.
 */
const SLOW_DELAY_MS = 4500;

describe(`${ScriptedBrain.name} oracles over the persona catalog`, () => {
  let t: TestApp;
  let admin: TestUser;
  let personas: SeededCatalogPersona[];

  beforeAll(async () => {
    t = await bootRunnerApp({ PERSONA_BRAIN: 'scripted', FAULTS_ENABLED: 'true' });
    await parkAllPersonas(t);
    await clearAllFaults(t);
    admin = await createAdmin(t);
    personas = await seedCatalogPersonas(t);
  });
  afterAll(async () => {
    await clearAllFaults(t);
    // the suite shares one database: take the catalog personas (and, by cascade, their ticks,
    // ratings and findings) away again so other suites' reports see only their own data
    for (const persona of personas ?? []) {
      const res = await http(t.url, 'DELETE', `/api/v1/personas/admin/${persona.userId}`, {
        token: admin.accessToken,
      });
      if (res.status !== 200) throw new Error(`DELETE persona answered ${res.status} ${res.text}`);
    }
    await parkAllPersonas(t);
    await t.close();
  });

  it('should report no app finding on a clean app over several simulated days, and keep the newbie’s own mistakes apart', async () => {
    const tickIds: string[] = [];
    for (let day = 0; day < CLEAN_DAYS; day += 1) {
      const runner = seededRunner(t, `clean-day-${day}`);
      for (const persona of personas) {
        const summary = await runner.runNow(persona.userId);
        expect(summary).toMatchObject({ status: 'ok', recorded: true });
        tickIds.push(summary.tickId!);
      }
    }
    const findings = await findingsOfTicks(t, tickIds);
    const appFindings = findings
      .filter((f) => !f.persona_mistake)
      .map((f) => `${f.module} ${f.tool} ${f.class} ${f.check_name}: expected ${f.expected}; got ${f.got}`);
    expect(appFindings).toEqual([]);

    // every failed call of a persona was the newbie's deliberate invalid input, recorded as its own
    // mistake (the oracle engine's refusal probes fail on purpose: they are origin `oracle`)
    const newbies = new Set(personas.filter((p) => p.archetype === CONFUSED_ARCHETYPE).map((p) => p.userId));
    const mistakes = findings.filter((f) => f.persona_mistake);
    for (const f of mistakes) expect(newbies.has(f.persona_id)).toBe(true);
    const failedCalls = (await callsOfTicks(t, tickIds)).filter(
      (c) => c.result !== 'ok' && c.origin === 'brain',
    );
    for (const call of failedCalls) {
      expect(mistakes).toContainEqual(
        expect.objectContaining({
          tick_id: call.tick_id,
          seq: call.seq,
          class: 'error',
          persona_mistake: true,
        }),
      );
    }
  }, 300_000);

  it('should call every user-space tool in one simulated day of the catalog, with no app finding', async () => {
    // hourly personas tick every hour of the day (each hour its own seed), the others once
    const tickIds: string[] = [];
    for (const persona of personas) {
      const hours = persona.cadence === 'hourly' ? 24 : 1;
      for (let hour = 0; hour < hours; hour += 1) {
        const summary = await seededRunner(t, `coverage-day:h${hour}`).runNow(persona.userId);
        expect(summary).toMatchObject({ status: 'ok', recorded: true });
        tickIds.push(summary.tickId!);
      }
    }
    const called = new Set(
      (await callsOfTicks(t, tickIds)).filter((c) => c.origin === 'brain').map((c) => c.tool_name),
    );
    const userSpace = t.app
      .get(ToolRegistry)
      .list()
      .filter((tool) => tool.options.scope === 'user-space')
      .map((tool) => tool.options.name)
      .sort();
    expect(userSpace.length).toBeGreaterThanOrEqual(26);
    expect(userSpace.filter((name) => !called.has(name))).toEqual([]);
    const appFindings = (await findingsOfTicks(t, tickIds))
      .filter((f) => !f.persona_mistake)
      .map((f) => `${f.tool} ${f.class} ${f.check_name}: expected ${f.expected}; got ${f.got}`);
    expect(appFindings).toEqual([]);
  }, 300_000);

  describe('with a catalog defect planted', () => {
    afterEach(() => clearAllFaults(t));

    it.each(FAULT_CATALOG.map((d) => [d.id, d] as [string, FaultDefect]))(
      'should report %s as a finding of its class on its module and tool',
      async (id, defect) => {
        const users = personas.filter((p) => p.modules.includes(defect.module));
        expect(users.length).toBeGreaterThan(0);
        const plant = await http(t.url, 'POST', '/api/v1/faults', {
          token: admin.accessToken,
          body: {
            defect: id,
            probability: 1,
            ...(defect.parameters.delayMs?.jitter ? { delayMs: SLOW_DELAY_MS } : {}),
          },
        });
        expect(plant.status).toBe(201);

        // ticks until the defect's tool has been used in USES_TO_DETECT ticks (bounded): which modules a
        // persona plays on a day is drawn by weight, so the tool may sit idle for a few ticks
        const tickIds: string[] = [];
        let matching: unknown[] = [];
        let ticksUsingTool = 0;
        for (let i = 0; i < MAX_TICKS && matching.length === 0 && ticksUsingTool < USES_TO_DETECT; i += 1) {
          const persona = users[i % users.length];
          const summary = await seededRunner(t, `${id}#${i}`).runNow(persona.userId);
          tickIds.push(summary.tickId!);
          const calls = await callsOfTicks(t, [summary.tickId!]);
          if (calls.some((c) => c.tool_name === defect.tool)) ticksUsingTool += 1;
          matching = (await findingsOfTicks(t, [summary.tickId!])).filter(
            (f) =>
              !f.persona_mistake &&
              f.module === defect.module &&
              f.tool === defect.tool &&
              f.class === defect.class,
          );
        }
        if (matching.length === 0) {
          // missed: the failure says what the ticks showed instead
          const seen = (await findingsOfTicks(t, tickIds)).map(
            (f) => `${f.tool} ${f.class} ${f.check_name}: expected ${f.expected}; got ${f.got}`,
          );
          const played = (await callsOfTicks(t, tickIds))
            .filter((c) => c.tool_name.startsWith(`${defect.module}.`))
            .map((c) => `${c.origin} ${c.tool_name} ${c.result}`);
          throw new Error(
            `${id} not found in ${tickIds.length} ticks (${ticksUsingTool} used ${defect.tool}); ` +
              `findings: ${JSON.stringify(seen, null, 1)}; ${defect.module} calls: ${JSON.stringify(played, null, 1)}`,
          );
        }
        // found at the first tick that used the tool, or (a limit needs more rows than it) soon after
        expect(ticksUsingTool).toBeLessThanOrEqual(USES_TO_DETECT);
        expect(ticksUsingTool).toBeGreaterThan(0);
      },
    );
  });
});
