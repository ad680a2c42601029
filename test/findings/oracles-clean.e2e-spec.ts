import { ScriptedBrain } from '../../src/runner/brains/scripted/scripted.brain.js';
import { CONFUSED_ARCHETYPE } from '../../src/runner/brains/scripted-content.js';
import { FAULT_CATALOG } from '../../src/faults/fault-catalog.js';
import { callsOfTicks, findingsOfTicks, seededRunner } from './findings-support.js';
import { DEFECT_GROUPS, oracleSuite } from './oracle-suite.js';

/** Simulated days of the clean run: every catalog persona ticks once per day, each day its own seed. */
const CLEAN_DAYS = 3;

/**
 * A clean app gives no finding. The slow check's threshold is raised here: a test machine running
 * several suites side by side is no judge of the app's speed (the slow defects' own tests, and
 * `bench:recall` on a quiet machine, keep the default 2000 ms).
 */
const QUIET = { FINDING_SLOW_MS: '20000' };

describe(`${ScriptedBrain.name} oracles over the persona catalog: a clean app, several days`, () => {
  const suite = oracleSuite(QUIET);

  it('should report no app finding on a clean app over several simulated days, and keep the newbie’s own mistakes apart', async () => {
    const tickIds: string[] = [];
    for (let day = 0; day < CLEAN_DAYS; day += 1) {
      const runner = seededRunner(suite.t, `clean-day-${day}`);
      for (const persona of suite.personas) {
        const summary = await runner.runNow(persona.userId);
        expect(summary).toMatchObject({ status: 'ok', recorded: true });
        tickIds.push(summary.tickId!);
      }
    }
    const findings = await findingsOfTicks(suite.t, tickIds);
    const appFindings = findings
      .filter((f) => !f.persona_mistake)
      .map((f) => `${f.module} ${f.tool} ${f.class} ${f.check_name}: expected ${f.expected}; got ${f.got}`);
    expect(appFindings).toEqual([]);

    // every failed call of a persona was the newbie's deliberate invalid input, recorded as its own
    // mistake (the oracle engine's refusal probes fail on purpose: they are origin `oracle`)
    const newbies = new Set(
      suite.personas.filter((p) => p.archetype === CONFUSED_ARCHETYPE).map((p) => p.userId),
    );
    const mistakes = findings.filter((f) => f.persona_mistake);
    for (const f of mistakes) expect(newbies.has(f.persona_id)).toBe(true);
    const failedCalls = (await callsOfTicks(suite.t, tickIds)).filter(
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

  it('should have every catalog defect in one of the defect files', () => {
    const grouped = new Set(DEFECT_GROUPS.flat());
    expect(FAULT_CATALOG.filter((d) => !grouped.has(d.module)).map((d) => d.id)).toEqual([]);
  });
});
