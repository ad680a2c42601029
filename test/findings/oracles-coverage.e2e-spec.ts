import { ScriptedBrain } from '../../src/runner/brains/scripted/scripted.brain.js';
import { ToolRegistry } from '../../src/tools/tool.registry.js';
import { callsOfTicks, findingsOfTicks, seededRunner } from './findings-support.js';
import { oracleSuite } from './oracle-suite.js';

/**
 * A clean app gives no finding. The slow check's threshold is raised here: a test machine running
 * several suites side by side is no judge of the app's speed (the slow defects' own tests, and
 * `bench:recall` on a quiet machine, keep the default 2000 ms).
 */
const QUIET = { FINDING_SLOW_MS: '20000' };

describe(`${ScriptedBrain.name} oracles over the persona catalog: every tool in one day`, () => {
  const suite = oracleSuite(QUIET);

  it('should call every user-space tool in one simulated day of the catalog, with no app finding', async () => {
    // hourly personas tick every hour of the day (each hour its own seed), the others once
    const tickIds: string[] = [];
    for (const persona of suite.personas) {
      const hours = persona.cadence === 'hourly' ? 24 : 1;
      for (let hour = 0; hour < hours; hour += 1) {
        const summary = await seededRunner(suite.t, `coverage-day:h${hour}`).runNow(persona.userId);
        expect(summary).toMatchObject({ status: 'ok', recorded: true });
        tickIds.push(summary.tickId!);
      }
    }
    const called = new Set(
      (await callsOfTicks(suite.t, tickIds)).filter((c) => c.origin === 'brain').map((c) => c.tool_name),
    );
    const userSpace = suite.t.app
      .get(ToolRegistry)
      .list()
      .filter((tool) => tool.options.scope === 'user-space')
      .map((tool) => tool.options.name)
      .sort();
    expect(userSpace.length).toBeGreaterThanOrEqual(26);
    expect(userSpace.filter((name) => !called.has(name))).toEqual([]);
    const appFindings = (await findingsOfTicks(suite.t, tickIds))
      .filter((f) => !f.persona_mistake)
      .map((f) => `${f.tool} ${f.class} ${f.check_name}: expected ${f.expected}; got ${f.got}`);
    expect(appFindings).toEqual([]);
  }, 300_000);
});
