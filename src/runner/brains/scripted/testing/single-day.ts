import type { FindingReport, PersonaMemory, PersonaProfile } from '../../brain.js';
import type { Row } from '../answers.js';
import { ScriptedDay } from '../scripted.brain.js';
import { FakeApp } from './fake-app.js';
import { fakeDayContext, personalSpaceId } from './fake-day.js';
import type { FakeCall } from './fake-day.js';

export const PERSONA_ID = '6f1c1c51-8d40-4a38-9a0e-2f3c4b5a6d7e';
export const FAMILY_SPACE_ID = '20000000-0000-4000-a000-0000000000f1';

export interface SingleDayOptions {
  persona?: string;
  archetype?: string;
  date?: string;
  seed?: string;
  mix?: Record<string, number>;
  cadence?: PersonaProfile['cadence'];
  maxTurns?: number;
  destructiveTools?: boolean;
  memory?: PersonaMemory;
  findings?: FindingReport[];
  failWith?: (name: string, input: Row) => string | undefined;
  latencyMs?: number;
  /** Runs against the app before the day starts (rows written on earlier days). */
  before?: (app: FakeApp, userId: string, setClock: (at: Date) => void) => void;
}

/** One persona's day against a fresh fake app (its personal space and a family space it shares). */
export function singleDay(options: SingleDayOptions = {}) {
  const date = options.date ?? '2025-03-04';
  const userId = options.persona ?? PERSONA_ID;
  let clock = new Date(`${date}T09:00:00Z`);
  const app = new FakeApp(() => clock);
  app.addSpace({ id: personalSpaceId(userId), name: 'Me', type: 'personal', members: [userId] });
  app.addSpace({ id: FAMILY_SPACE_ID, name: 'Family', type: 'family', members: [userId] });
  if (options.before) {
    options.before(app, userId, (at) => {
      clock = at;
    });
    clock = new Date(`${date}T09:00:00Z`);
  }
  const calls: FakeCall[] = [];
  const findings = options.findings ?? [];
  const context = fakeDayContext(
    app,
    {
      profile: {
        id: userId,
        // a persona is its e-mail to the brain's seed: another id is another persona
        email: userId === PERSONA_ID ? 'persona.x@mana.test' : `persona.${userId.slice(-4)}@mana.test`,
        archetype: options.archetype ?? 'solo-dev',
        systemPrompt: 'You are a test persona with a long enough prompt.',
        moduleMix: options.mix ?? { todo: 3, notes: 2, journal: 1, habits: 1, mood: 1 },
        timezone: 'Europe/Berlin',
        cadence: options.cadence ?? 'daily',
      },
      destructiveTools: options.destructiveTools ?? false,
    },
    {
      date,
      maxTurns: options.maxTurns,
      memory: options.memory,
      findings,
      calls,
      failWith: options.failWith,
      latencyMs: options.latencyMs,
    },
  );
  const day = new ScriptedDay(context, options.seed ?? 'seed');
  return { day, calls, findings, app };
}
