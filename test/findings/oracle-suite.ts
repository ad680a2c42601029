import { FAULT_CATALOG } from '../../src/faults/fault-catalog.js';
import { SpaceScopedEntity } from '../../src/modules/common/space-scoped.entity.js';
import type { FaultDefect } from '../../src/faults/fault-catalog.js';
import { clearAllFaults } from '../faults/faults-support.js';
import { bootRunnerApp, parkAllPersonas } from '../runner/runner.fixtures.js';
import { createAdmin } from '../support/factories.js';
import type { TestUser } from '../support/factories.js';
import { http } from '../support/http.js';
import type { TestApp } from '../support/test-app.js';
import { callsOfTicks, findingsOfTicks, seedCatalogPersonas, seededRunner } from './findings-support.js';
import type { SeededCatalogPersona } from './findings-support.js';

/** What a suite of the oracle tests works with: the app, an admin, the seeded catalog personas. */
export interface OracleSuite {
  readonly t: TestApp;
  readonly admin: TestUser;
  readonly personas: SeededCatalogPersona[];
  /** Work to do before the app closes (after the suite's tests). */
  readonly beforeClose: Array<() => Promise<void>>;
}

/**
 * Boots the app with the scripted brain and the fault lab, seeds the persona catalog, and takes it
 * away again after the suite. The oracle tests are split over several files (clean days, tool
 * coverage, the defects by module) so that jest's workers run them side by side, each file on its
 * worker's own database.
 */
export function oracleSuite(env: Record<string, string> = {}): OracleSuite {
  const suite = { beforeClose: [] } as unknown as {
    t: TestApp;
    admin: TestUser;
    personas: SeededCatalogPersona[];
    beforeClose: Array<() => Promise<void>>;
  };
  beforeAll(async () => {
    suite.t = await bootRunnerApp({ PERSONA_BRAIN: 'scripted', FAULTS_ENABLED: 'true', ...env });
    await parkAllPersonas(suite.t);
    await clearAllFaults(suite.t);
    suite.admin = await createAdmin(suite.t);
    suite.personas = await seedCatalogPersonas(suite.t);
  });
  afterAll(async () => {
    const { t, admin, personas } = suite;
    if (!t) return;
    for (const work of suite.beforeClose) await work();
    await clearAllFaults(t);
    // take the catalog personas (and, by cascade, their ticks, ratings and findings) away again so
    // later suites of this worker see only their own data
    for (const persona of personas ?? []) {
      const res = await http(t.url, 'DELETE', `/api/v1/personas/admin/${persona.userId}`, {
        token: admin.accessToken,
      });
      if (res.status !== 200) throw new Error(`DELETE persona answered ${res.status} ${res.text}`);
    }
    await parkAllPersonas(t);
    await t.close();
  });
  return suite;
}

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

/**
 * The app data (tasks, notes, habits, …) of the catalog personas' spaces after one warm-up day,
 * kept aside and put back before each defect's test: every test starts from the same spaces,
 * whatever ran before it (`--randomize`), and they hold what a day leaves (a search has notes to
 * tell apart, a limit rows to exceed). Children after parents on restore, before them on delete.
 */
class AppDataSnapshot {
  private tables: string[] = [];

  constructor(
    private readonly t: TestApp,
    private readonly personas: SeededCatalogPersona[],
  ) {}

  private get scope(): [string, string[]] {
    return [
      'space_id IN (SELECT space_id FROM space_members WHERE user_id = ANY($1::uuid[]))',
      this.personas.map((p) => p.userId),
    ];
  }

  async take(): Promise<void> {
    this.tables = this.t.dataSource.entityMetadatas
      .filter((m) => m.inheritanceTree.includes(SpaceScopedEntity))
      .sort((a, b) => a.foreignKeys.length - b.foreignKeys.length)
      .map((m) => m.tableName);
    const [where, ids] = this.scope;
    for (const table of this.tables) {
      await this.t.dataSource.query(`DROP TABLE IF EXISTS oracle_snapshot_${table}`);
      await this.t.dataSource.query(
        `CREATE TABLE oracle_snapshot_${table} AS SELECT * FROM ${table} WHERE ${where}`,
        [ids],
      );
    }
  }

  async restore(): Promise<void> {
    const [where, ids] = this.scope;
    for (const table of [...this.tables].reverse())
      await this.t.dataSource.query(`DELETE FROM ${table} WHERE ${where}`, [ids]);
    for (const table of this.tables)
      await this.t.dataSource.query(`INSERT INTO ${table} SELECT * FROM oracle_snapshot_${table}`);
  }

  async drop(): Promise<void> {
    for (const table of this.tables)
      await this.t.dataSource.query(`DROP TABLE IF EXISTS oracle_snapshot_${table}`);
  }
}

/** The defect files, by module: each `oracles-defects-<n>.e2e-spec.ts` takes one group. */
export const DEFECT_GROUPS: string[][] = [
  ['todo'],
  ['notes', 'habits', 'journal'],
  ['mood', 'calendar', 'contacts'],
];

/** One test per catalog defect of these modules: planted, it is found as a finding of its class. */
export function describeDefectsOf(modules: string[]): void {
  const defects = FAULT_CATALOG.filter((d) => modules.includes(d.module));
  describe(`with a catalog defect of ${modules.join(', ')} planted`, () => {
    const suite = oracleSuite();
    let snapshot: AppDataSnapshot;
    beforeAll(async () => {
      const runner = seededRunner(suite.t, 'warm-up-day');
      for (const persona of suite.personas) await runner.runNow(persona.userId);
      snapshot = new AppDataSnapshot(suite.t, suite.personas);
      await snapshot.take();
      suite.beforeClose.push(() => snapshot.drop());
    });
    afterEach(() => clearAllFaults(suite.t));

    it('should cover every defect of these modules', () => {
      expect(defects.length).toBeGreaterThan(0);
    });

    it.each(defects.map((d) => [d.id, d] as [string, FaultDefect]))(
      'should report %s as a finding of its class on its module and tool',
      async (id, defect) => {
        const { t, admin, personas } = suite;
        await snapshot.restore();
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
}
