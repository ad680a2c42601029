import type { CatalogPersona, PersonaCatalog } from '../../../../personas/catalog/catalog.js';
import type { DayContext, FindingReport, PersonaMemory, PersonaProfile, ToolOutcome } from '../../brain.js';
import type { Row } from '../answers.js';
import { ScriptedDay } from '../scripted.brain.js';
import { appTools } from './app-tools.js';
import { FakeApp } from './fake-app.js';

/** One call the brain made, as the fake saw it. */
export interface FakeCall {
  persona: string;
  name: string;
  input: Row;
  spaceId?: string;
  expectError: boolean;
  ok: boolean;
  text: string;
  data: unknown;
}

export interface FakePersona {
  profile: PersonaProfile;
  destructiveTools: boolean;
}

export interface FakeDayOptions {
  date: string;
  /** The hour of the day (UTC) the tick runs at. */
  hour?: number;
  maxTurns?: number;
  memory?: PersonaMemory;
  /** Findings the oracle engine "reported" so far; the brain's ratings read them. */
  findings?: FindingReport[];
  /** Every call lands here too. */
  calls?: FakeCall[];
  /** A call this answers for fails with its message instead of reaching the fake app. */
  failWith?: (name: string, input: Row) => string | undefined;
  latencyMs?: number;
}

const WEEKDAYS = ['Sunday', 'Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday'];

/** A DayContext whose tools are the app's 26 (deletes only when opted in), answered by `app`. */
export function fakeDayContext(app: FakeApp, persona: FakePersona, options: FakeDayOptions): DayContext {
  const hh = String(options.hour ?? 9).padStart(2, '0');
  const at = new Date(`${options.date}T${hh}:00:00Z`);
  const calls = options.calls ?? [];
  const findings = options.findings ?? [];
  let seq = 0;
  return {
    persona: persona.profile,
    today: { date: options.date, weekday: WEEKDAYS[at.getUTCDay()], time: `${hh}:00`, at },
    tools: appTools(persona.destructiveTools),
    maxTurns: options.maxTurns ?? 15,
    signal: new AbortController().signal,
    ...(options.memory ? { memory: options.memory } : {}),
    callTool: async (name, input, callOptions): Promise<ToolOutcome> => {
      seq += 1;
      const spaceId = callOptions?.spaceId ?? personalSpaceId(persona.profile.id);
      const failure = options.failWith?.(name, input);
      const answer = failure
        ? { ok: false, text: failure, data: undefined }
        : app.call(persona.profile.id, name, input, spaceId);
      calls.push({
        persona: persona.profile.email,
        name,
        input,
        ...(callOptions?.spaceId ? { spaceId: callOptions.spaceId } : {}),
        expectError: callOptions?.expectError === true,
        ok: answer.ok,
        text: answer.text,
        data: answer.data,
      });
      return {
        ok: answer.ok,
        errorKind: answer.ok ? null : 'tool',
        text: answer.text,
        data: answer.data,
        latencyMs: options.latencyMs ?? 5,
        seq,
      };
    },
    reportFinding: async (finding) => {
      findings.push(finding);
    },
    findings: () => findings,
  };
}

/** The personal space of a fake persona. */
export function personalSpaceId(personaId: string): string {
  // the persona id with another first digit: one personal space per persona
  return `5${personaId.slice(1)}`;
}

/** A fake persona's id, from its place in the catalog. */
export function personaIdOf(index: number): string {
  return `10000000-0000-4000-a000-${String(index + 1).padStart(12, '0')}`;
}

/** A catalog persona as the runner would hand it to a brain. */
export function fakePersonaOf(entry: CatalogPersona, index: number): FakePersona {
  return {
    profile: {
      id: personaIdOf(index),
      email: entry.email,
      archetype: entry.archetype,
      systemPrompt: entry.systemPrompt,
      moduleMix: entry.moduleMix,
      timezone: entry.timezone,
      cadence: entry.tickCadence,
    },
    destructiveTools: entry.destructiveTools === true,
  };
}

/** A fake app holding the catalog's personal and shared spaces. */
export function catalogApp(catalog: PersonaCatalog, clock: () => Date): FakeApp {
  const app = new FakeApp(clock);
  const ids = new Map(catalog.personas.map((p, i) => [p.email, personaIdOf(i)]));
  catalog.personas.forEach((p, i) =>
    app.addSpace({
      id: personalSpaceId(personaIdOf(i)),
      name: p.name,
      type: 'personal',
      members: [personaIdOf(i)],
    }),
  );
  catalog.spaces.forEach((s, i) =>
    app.addSpace({
      id: `20000000-0000-4000-a000-${String(i + 1).padStart(12, '0')}`,
      name: s.name,
      type: s.type,
      members: [s.owner, ...s.members].map((email) => ids.get(email) ?? email),
    }),
  );
  return app;
}

/**
 * One simulated day of the catalog, as bench:recall plays it: hourly personas tick 24 times (hour h
 * seeded `${seed}:h${h}`), the others once, spread over the day; every call in order.
 */
export async function playCatalogDay(
  catalog: PersonaCatalog,
  seed: string,
  date: string,
): Promise<FakeCall[]> {
  let clock = new Date(`${date}T00:00:00Z`);
  const app = catalogApp(catalog, () => clock);
  const personas = catalog.personas.map(fakePersonaOf);
  const daily = personas.filter((p) => p.profile.cadence !== 'hourly');
  const calls: FakeCall[] = [];
  for (let hour = 0; hour < 24; hour += 1) {
    const due = [
      ...personas.filter((p) => p.profile.cadence === 'hourly'),
      ...daily.filter((_, i) => Math.floor((i * 24) / daily.length) === hour),
    ];
    for (const persona of due) {
      clock = new Date(`${date}T${String(hour).padStart(2, '0')}:00:00Z`);
      const context = fakeDayContext(app, persona, { date, hour, calls });
      const day = new ScriptedDay(context, `${seed}:h${hour}`);
      await day.play();
      await day.reply('rate');
    }
  }
  return calls;
}
