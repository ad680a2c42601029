/**
 * bench:recall — how many of the fault catalog's defects the scripted personas find in one day.
 *
 *   npm run bench:recall                                  (every catalog defect, plus a clean day)
 *   BENCH_DEFECTS=todo.list.slow,notes.search.case-sensitive npm run bench:recall   (a quick check)
 *
 * Boots the app in-process (createApp; runner not scheduled, scripted brain, fault lab on) on a
 * dedicated database on DATABASE_URL's server (dropped at the end), or on the embedded Postgres
 * (PGlite) in a temp dir, and seeds the 10 catalog personas through PersonaSeedService (the path
 * `RUNNER_DEMO` takes at boot). Then, for one clean day with nothing planted and for each catalog
 * defect, one at a time:
 *
 *   1. clears the app's state: the module tables and the personas' ticks, calls, ratings and
 *      findings (users, personas, spaces and keys stay);
 *   2. plants the defect through the admin API (POST /api/v1/faults) and checks FaultsService applies it;
 *   3. plays one simulated day (bench/simulated-day.ts), two ticks at a time: hourly personas tick 24
 *      times, the others once (spread over the day). No wall-clock hours pass: each tick is forced
 *      with RunnerService.runNow, and hour h of the day is played by a scripted brain seeded
 *      `PERSONA_SEED:h<h>` (the scripted brain draws from seed, persona and local date, so the same
 *      seed would replay one session 24 times). A defect's day stops early at the first tick that
 *      reports a finding with the defect's module, tool and class;
 *   4. reads GET /api/v1/reports/findings: the defect is detected when a group matches the planted
 *      fault (its `matchesPlantedFault`); every app finding group that matches no planted defect, and
 *      every app finding of the clean day, is a false finding. Then clears the fault.
 *
 * Writes bench/results/recall.json; the last line printed is a one-line summary. The figures depend on
 * PERSONA_SEED and on today's date (the scripted brain's draws do), never on timing, except for the
 * slow defects (their delay is jittered around FINDING_SLOW_MS).
 */
import { performance } from 'node:perf_hooks';
import { DataSource } from 'typeorm';
import { FAULT_CATALOG } from '../src/faults/fault-catalog.js';
import type { DefectId, FaultDefect } from '../src/faults/fault-catalog.js';
import { FaultsService } from '../src/faults/faults.service.js';
import {
  adminToken,
  benchDatabase,
  bootBenchApp,
  loadAverage,
  round,
  runBench,
  say,
  writeResult,
} from './bench-support.js';
import { api, clearDay, daySchedule, hourlyRunners, playJobs, seedCatalogPersonas } from './simulated-day.js';
import type { DayPersona } from './simulated-day.js';

const HOURS = 24;
const CONCURRENCY = 2;

interface FindingGroup {
  module: string;
  tool: string;
  class: string;
  count: number;
  personas: number;
  checks: string[];
  matchesPlantedFault: { faultId: string; defect: string } | null;
}

interface FalseFinding {
  day: string;
  module: string;
  tool: string;
  class: string;
  check: string;
  count: number;
  personas: string[];
  expected: string;
  got: string;
  /**
   * On the planted defect's own tool, of another class or check (a second symptom of the same
   * defect, e.g. a lost update that also breaks the repeated call): still counted as false.
   */
  onDefectTool: boolean;
}

interface DayResult {
  defect: string | null;
  ticks: number;
  failedTicks: number;
  toolCalls: number;
  /** Calls of the defect's tool in the day (0: nobody got to it). */
  toolUses: number;
  ticksToDetect: number | null;
  detected: boolean;
  personasWhoFound: string[];
  /** The checks that reported it (the matching group's). */
  checks: string[];
  falseFindings: FalseFinding[];
  personaMistakes: number;
  seconds: number;
}

const sameSignature = (g: { module: string; tool: string; class: string }, d: FaultDefect) =>
  g.module === d.module && g.tool === d.tool && g.class === d.class;

/** Which catalog personas have the defect's module in their mix (the brain only plays those). */
function coverageNote(
  defect: FaultDefect,
  personas: DayPersona[],
  toolUses: number,
  detected: boolean,
): string {
  const users = personas.filter((p) => p.modules.includes(defect.module));
  if (users.length === 0) return `no catalog persona has ${defect.module} in its module mix`;
  if (toolUses === 0) {
    return `no persona called ${defect.tool} this day (${defect.module} is in the mix of ${users.map((p) => p.name.split(' ')[0]).join(', ')})`;
  }
  return detected ? '' : `${defect.tool} was called ${toolUses} times and no matching finding was reported`;
}

async function main(): Promise<void> {
  const started = performance.now();
  const only = (process.env.BENCH_DEFECTS ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  const unknown = only.filter((id) => !FAULT_CATALOG.some((d) => d.id === id));
  if (unknown.length > 0) throw new Error(`BENCH_DEFECTS names unknown defects: ${unknown.join(', ')}`);
  const defects: FaultDefect[] = FAULT_CATALOG.filter((d) => only.length === 0 || only.includes(d.id));
  const db = await benchDatabase('recall', {
    describe: {
      embedded: 'embedded (PGlite in a temp dir, 1 connection)',
      server: 'PostgreSQL (dedicated database on DATABASE_URL’s server)',
    },
  });
  const load = loadAverage();
  say(
    `bench:recall  ${defects.length} defects + a clean day, 10 catalog personas, scripted brain, concurrency ${CONCURRENCY}`,
  );
  say(`  database: ${db.description}; machine load average ${load.join(' / ')}`);

  try {
    const bench = await bootBenchApp(db, {
      PERSONA_BRAIN: 'scripted',
      TOOL_RATE_LIMIT: '1000000',
      FAULTS_ENABLED: 'true',
      FAULTS: '[]',
      // plants and clears are logged at warn; the bench prints its own lines
      LOG_LEVEL: process.env.BENCH_LOG_LEVEL ?? 'error',
    });
    const { app } = bench;
    const ds = app.get(DataSource);
    const faults = app.get(FaultsService);
    try {
      const token = await adminToken(bench);
      const personas = await seedCatalogPersonas(app);
      const nameOf = new Map(personas.map((p) => [p.userId, p.name]));
      const jobs = daySchedule(personas, HOURS);
      const runners = hourlyRunners(bench, HOURS, CONCURRENCY, 'bench-recall');
      say(
        `  ${personas.length} personas seeded (${personas.filter((p) => p.hourly).length} hourly); ${jobs.length} ticks a full day`,
      );

      const playDay = async (defect: FaultDefect | null): Promise<DayResult> => {
        const dayStarted = performance.now();
        await clearDay(bench.app);
        let faultId: string | undefined;
        if (defect) {
          faultId = (
            await api<{ id: string }>(bench, token, 'POST', '/api/v1/faults', {
              defect: defect.id,
              note: 'bench:recall',
            })
          ).id;
          if (!faults.active(defect.id as DefectId)) await faults.refresh();
          if (!faults.active(defect.id as DefectId))
            throw new Error(`${defect.id} was planted but is not applied`);
        }
        let ticksToDetect: number | null = null;
        const { ticks, failedTicks, toolCalls } = await playJobs(
          jobs,
          runners,
          CONCURRENCY,
          async (summary, ticksSoFar) => {
            if (!defect || !summary.tickId || ticksToDetect !== null) return false;
            const [{ n }] = (await ds.query(
              `SELECT count(*)::int AS n FROM persona_findings
                WHERE tick_id = $1 AND NOT persona_mistake AND module = $2 AND tool = $3 AND class = $4`,
              [summary.tickId, defect.module, defect.tool, defect.class],
            )) as Array<{ n: number }>;
            if (n > 0) ticksToDetect = ticksSoFar;
            return n > 0;
          },
        );

        const report = await api<{ items: FindingGroup[]; total: number }>(
          bench,
          token,
          'GET',
          '/api/v1/reports/findings?limit=200',
        );
        const mistakes = await api<{ items: FindingGroup[] }>(
          bench,
          token,
          'GET',
          '/api/v1/reports/findings?limit=200&personaMistakes=true',
        );
        const match = defect
          ? report.items.find((g) => sameSignature(g, defect) && g.matchesPlantedFault?.defect === defect.id)
          : undefined;
        const falseGroups = report.items.filter((g) => g !== match);
        const falseFindings: FalseFinding[] = [];
        for (const g of falseGroups) {
          const rows = (await ds.query(
            `SELECT check_name, expected, got, persona_id FROM persona_findings
              WHERE NOT persona_mistake AND module = $1 AND tool = $2 AND class = $3 ORDER BY created_at`,
            [g.module, g.tool, g.class],
          )) as Array<{ check_name: string; expected: string; got: string; persona_id: string }>;
          const byCheck = new Map<string, FalseFinding>();
          for (const r of rows) {
            let f = byCheck.get(r.check_name);
            if (!f) {
              f = {
                day: defect?.id ?? 'clean',
                module: g.module,
                tool: g.tool,
                class: g.class,
                check: r.check_name,
                count: 0,
                personas: [],
                expected: r.expected,
                got: r.got,
                onDefectTool: defect?.tool === g.tool,
              };
              byCheck.set(r.check_name, f);
            }
            f.count += 1;
            const name = nameOf.get(r.persona_id) ?? r.persona_id;
            if (!f.personas.includes(name)) f.personas.push(name);
          }
          falseFindings.push(...byCheck.values());
        }
        let personasWhoFound: string[] = [];
        let toolUses = 0;
        if (defect) {
          const found = (await ds.query(
            `SELECT DISTINCT persona_id FROM persona_findings
              WHERE NOT persona_mistake AND module = $1 AND tool = $2 AND class = $3`,
            [defect.module, defect.tool, defect.class],
          )) as Array<{ persona_id: string }>;
          personasWhoFound = match ? found.map((r) => nameOf.get(r.persona_id) ?? r.persona_id).sort() : [];
          const [{ n }] = (await ds.query(
            `SELECT count(*)::int AS n FROM persona_actions WHERE tool_name = $1`,
            [defect.tool],
          )) as Array<{ n: number }>;
          toolUses = n;
        }
        if (faultId) await api(bench, token, 'DELETE', `/api/v1/faults/${faultId}`);
        return {
          defect: defect?.id ?? null,
          ticks,
          failedTicks,
          toolCalls,
          toolUses,
          ticksToDetect: match ? ticksToDetect : null,
          detected: match !== undefined,
          personasWhoFound,
          checks: match?.checks ?? [],
          falseFindings,
          personaMistakes: mistakes.items.reduce((s, g) => s + g.count, 0),
          seconds: round((performance.now() - dayStarted) / 1000, 1),
        };
      };

      const clean = await playDay(null);
      say(
        `  clean day: ${clean.ticks} ticks (${clean.failedTicks} failed), ${clean.toolCalls} tool calls, ` +
          `${clean.falseFindings.reduce((s, f) => s + f.count, 0)} app findings, ${clean.personaMistakes} persona mistakes, ${clean.seconds} s`,
      );
      for (const f of clean.falseFindings) {
        say(
          `    FALSE ${f.module} ${f.tool} ${f.class} ${f.check} ×${f.count}: expected ${f.expected}; got ${f.got}`,
        );
      }

      const perDefect = [];
      const days: DayResult[] = [clean];
      for (const defect of defects) {
        const day = await playDay(defect);
        days.push(day);
        const note = coverageNote(defect, personas, day.toolUses, day.detected);
        perDefect.push({
          defect: defect.id,
          class: defect.class,
          module: defect.module,
          tool: defect.tool,
          detected: day.detected,
          ticksToDetect: day.ticksToDetect,
          personasWhoFound: day.personasWhoFound,
          checks: day.checks,
          ticksRun: day.ticks,
          toolUses: day.toolUses,
          note,
        });
        say(
          `  ${day.detected ? 'found ' : 'MISSED'} ${defect.id.padEnd(34)} ${defect.class.padEnd(12)} ` +
            `${day.detected ? `tick ${String(day.ticksToDetect).padStart(2)} by ${day.personasWhoFound.join(', ')} [${day.checks.join(', ')}]` : `${day.ticks} ticks`}` +
            `${note ? ` — ${note}` : ''} (${day.seconds} s)`,
        );
        for (const f of day.falseFindings) {
          say(
            `    FALSE ${f.module} ${f.tool} ${f.class} ${f.check} ×${f.count}${f.onDefectTool ? ' (on the defective tool)' : ''}: expected ${f.expected}; got ${f.got}`,
          );
        }
      }

      const detected = perDefect.filter((d) => d.detected).length;
      const falseFindingDetails = days.flatMap((d) => d.falseFindings);
      const falseFindings = falseFindingDetails.reduce((s, f) => s + f.count, 0);
      const recall = defects.length > 0 ? round(detected / defects.length, 3) : 0;
      const elapsedSeconds = round((performance.now() - started) / 1000, 1);

      say('');
      say('  defect                               class         module    detected  ticks  personas');
      for (const d of perDefect) {
        say(
          `  ${d.defect.padEnd(36)} ${d.class.padEnd(13)} ${d.module.padEnd(9)} ${(d.detected ? 'yes' : 'NO').padEnd(9)} ` +
            `${String(d.ticksToDetect ?? '-').padStart(5)}  ${d.personasWhoFound.join(', ') || d.note}`,
        );
      }
      say('');

      writeResult('recall', {
        bench: 'recall',
        database: db.description,
        brain: 'scripted',
        personaSeed: bench.config.personaSeed,
        personas: personas.length,
        concurrency: CONCURRENCY,
        ticksPerFullDay: jobs.length,
        defects: defects.length,
        detected,
        recall,
        falseFindings,
        falseFindingDetails,
        cleanDay: {
          ticks: clean.ticks,
          failedTicks: clean.failedTicks,
          toolCalls: clean.toolCalls,
          appFindings: clean.falseFindings.reduce((s, f) => s + f.count, 0),
          personaMistakes: clean.personaMistakes,
        },
        perDefect,
        method: {
          day: 'hourly personas tick 24 times, the others once (hours 0, 3, 6, …); each tick forced with RunnerService.runNow, hour h played by a scripted brain seeded PERSONA_SEED:h<h>',
          state:
            'before each day: module tables and persona ticks/actions/feedback/findings truncated; users, personas, spaces and keys kept',
          detected:
            'GET /api/v1/reports/findings has a group with the defect’s module, tool and class whose matchesPlantedFault is the planted defect',
          earlyStop:
            'a defect’s day stops at the first tick that reports a finding with its module, tool and class; ticksToDetect counts ticks in the order they finished',
          falseFindings:
            'app findings (persona mistakes aside) of the clean day, plus app finding groups of a defect day that match no planted defect',
        },
        elapsedSeconds,
        loadAverageAtStart: load,
        node: process.version,
        finishedAt: new Date().toISOString(),
      });
      say(
        `bench:recall recall ${recall} (${detected}/${defects.length}), ${falseFindings} false findings, ` +
          `${elapsedSeconds} s → bench/results/recall.json`,
      );
    } finally {
      await bench.close();
    }
  } finally {
    await db.drop();
  }
}

runBench('recall', main);
