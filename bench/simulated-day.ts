/**
 * A simulated day of the catalog personas, as bench:recall and bench:mutation play it: the catalog
 * seeded through PersonaSeedService, a schedule of forced ticks (hourly personas every hour, the
 * others once, spread over the day), one RunnerService per simulated hour with a scripted brain
 * seeded `PERSONA_SEED:h<h>`, and the ticks run a few at a time. No wall-clock hours pass: each tick
 * is forced with RunnerService.runNow. The scripted brain draws from seed, persona and local date, so
 * a day replays the same on the same date (at concurrency 1; at 2 the ticks of personas sharing a
 * space may interleave differently).
 */
import type { INestApplication } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { loadCatalog } from '../src/personas/catalog/catalog.js';
import type { CatalogPersona } from '../src/personas/catalog/catalog.js';
import { PersonaSeedService } from '../src/personas/catalog/persona-seed.service.js';
import type { RunnerService } from '../src/runner/runner.service.js';
import { seededRunner } from '../src/runner/check/seeded-runner.js';
import type { TickSummary } from '../src/runner/tick/tick-summary.js';
import type { BenchApp } from './bench-support.js';

/** A seeded catalog persona, as the day plays it. */
export interface DayPersona {
  userId: string;
  email: string;
  name: string;
  hourly: boolean;
  /** The modules with a weight above 0 in its module mix. */
  modules: string[];
}

/** One forced tick of the simulated day: who, and in which hour (which brain seed). */
export interface DayJob {
  persona: DayPersona;
  hour: number;
}

/** What a played day came to, tick by tick added up. */
export interface DayTally {
  ticks: number;
  /** Ticks whose status was not `ok`. */
  failedTicks: number;
  toolCalls: number;
  /** Why ticks failed: the distinct status and error of the first few. */
  tickErrors: string[];
}

/** Module tables, then the personas' trail; users, personas, spaces and keys are kept. */
const CLEARED_TABLES = [
  'habit_logs',
  'habits',
  'tasks',
  'notes',
  'journal_entries',
  'mood_entries',
  'calendar_events',
  'contacts',
  'persona_findings',
  'persona_feedback',
  'persona_actions',
  'persona_ticks',
];

/**
 * Clears what a played day left, so the next day replays from the same start: the module tables and
 * the personas' ticks, calls, ratings and findings (their memory of earlier days with them), and
 * every persona's schedule and lease. Users, personas, spaces and keys stay.
 */
export async function clearDay(app: INestApplication): Promise<void> {
  const ds = app.get(DataSource);
  await ds.query(`TRUNCATE ${CLEARED_TABLES.join(', ')}`);
  await ds.query(
    `UPDATE personas SET next_due_at = NULL, consecutive_failures = 0,
            lease_owner = NULL, lease_expires_at = NULL, lease_token = NULL`,
  );
}

/** Distinct tick failures a tally keeps. */
const MAX_TICK_ERRORS = 5;

/** Seeds the catalog personas through PersonaSeedService (the path RUNNER_DEMO takes at boot). */
export async function seedCatalogPersonas(app: INestApplication): Promise<DayPersona[]> {
  const seeded = await app.get(PersonaSeedService).seedCatalog();
  if (seeded.failed > 0) throw new Error(`seeding the catalog failed: ${JSON.stringify(seeded)}`);
  const byEmail = new Map<string, CatalogPersona>(loadCatalog().personas.map((p) => [p.email, p]));
  return seeded.personas.map((s) => {
    const entry = byEmail.get(s.email)!;
    return {
      userId: s.userId!,
      email: s.email,
      name: entry.name,
      hourly: entry.tickCadence === 'hourly',
      modules: Object.entries(entry.moduleMix)
        .filter(([, w]) => w > 0)
        .map(([m]) => m),
    };
  });
}

/** Hourly personas in every one of `hours` hours; the others once each, spread evenly over them. */
export function daySchedule(personas: DayPersona[], hours: number): DayJob[] {
  const daily = personas.filter((p) => !p.hourly);
  const jobs: DayJob[] = [];
  for (let hour = 0; hour < hours; hour += 1) {
    for (const persona of personas.filter((p) => p.hourly)) jobs.push({ persona, hour });
    daily.forEach((persona, i) => {
      if (Math.floor((i * hours) / daily.length) === hour) jobs.push({ persona, hour });
    });
  }
  return jobs;
}

/**
 * Runs the jobs in order, `concurrency` at a time, never two ticks of one persona at once (its lease
 * would refuse the second). `tick` answers true to stop the day: no new job starts, running ones end.
 */
export async function runJobs(
  jobs: DayJob[],
  concurrency: number,
  tick: (job: DayJob) => Promise<boolean>,
): Promise<void> {
  const pending = [...jobs];
  const busy = new Set<string>();
  const active = new Set<Promise<void>>();
  let stop = false;
  while (!stop) {
    while (active.size < concurrency) {
      const next = pending.findIndex((j) => !busy.has(j.persona.userId));
      if (next < 0) break;
      const [job] = pending.splice(next, 1);
      busy.add(job.persona.userId);
      const work: Promise<void> = tick(job)
        .then((found) => {
          if (found) stop = true;
        })
        .finally(() => {
          busy.delete(job.persona.userId);
          active.delete(work);
        });
      active.add(work);
    }
    if (active.size === 0) break;
    await Promise.race(active);
  }
  await Promise.allSettled(active);
}

/**
 * One RunnerService per simulated hour, each with a scripted brain seeded `PERSONA_SEED:h<hour>`
 * (the same seed every hour would replay one session), named `<label>-h<hour>`.
 */
export function hourlyRunners(
  bench: BenchApp,
  hours: number,
  concurrency: number,
  label: string,
): RunnerService[] {
  const { app, env, config } = bench;
  return Array.from({ length: hours }, (_, hour) =>
    seededRunner(app, env, `${config.personaSeed}:h${hour}`, `${label}-h${hour}`, {
      PERSONA_BRAIN: 'scripted',
      PERSONA_CONCURRENCY: String(concurrency),
    }),
  );
}

/**
 * Plays the day's jobs on the hourly runners, `concurrency` ticks at a time, and adds up ticks,
 * failed ticks and tool calls. `afterTick` (optional) sees each tick's summary with the number of
 * ticks finished so far and answers true to stop the day early.
 */
export async function playJobs(
  jobs: DayJob[],
  runners: RunnerService[],
  concurrency: number,
  afterTick?: (summary: TickSummary, ticks: number) => Promise<boolean>,
): Promise<DayTally> {
  const tally: DayTally = { ticks: 0, failedTicks: 0, toolCalls: 0, tickErrors: [] };
  await runJobs(jobs, concurrency, async (job) => {
    const summary = await runners[job.hour].runNow(job.persona.userId);
    tally.ticks += 1;
    tally.toolCalls += summary.toolCalls;
    if (summary.status !== 'ok') {
      tally.failedTicks += 1;
      const why = `${summary.status}: ${summary.error ?? 'no reason given'}`;
      if (tally.tickErrors.length < MAX_TICK_ERRORS && !tally.tickErrors.includes(why))
        tally.tickErrors.push(why);
    }
    return afterTick ? afterTick(summary, tally.ticks) : false;
  });
  return tally;
}

/** Calls the app's HTTP API with a bearer token; throws with the status and body on a non-2xx. */
export async function api<T>(
  bench: BenchApp,
  token: string,
  method: string,
  path: string,
  body?: unknown,
): Promise<T> {
  const res = await fetch(`${bench.base}${path}`, {
    method,
    headers: { authorization: `Bearer ${token}`, ...(body ? { 'content-type': 'application/json' } : {}) },
    body: body ? JSON.stringify(body) : undefined,
  });
  const text = await res.text();
  if (!res.ok) throw new Error(`${method} ${path} answered ${res.status}: ${text.slice(0, 300)}`);
  return JSON.parse(text) as T;
}
