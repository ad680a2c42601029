import { Inject, Injectable } from '@nestjs/common';
import { AppConfig } from '../../config/app-config.js';
import type { Brain, BrainDay, BrainTool, BrainUsage, DayContext, ToolOutcome } from './brain.js';
import { CONFUSED_ARCHETYPE, composeJournal, composeNote, voiceOf } from './scripted-content.js';
import type { ArchetypeVoice } from './scripted-content.js';
import { inputFromSchema } from './schema-input.js';
import { SeededRandom } from './seeded-random.js';

/** What happened in one module today, as the scripted brain remembers it for its ratings. */
export interface ModuleExperience {
  calls: number;
  errors: number;
  totalLatencyMs: number;
  firstError?: { tool: string; message: string };
}

/**
 * The offline brain: no network, no API key, deterministic from (PERSONA_SEED, persona id, the
 * persona's local date). It picks today's modules by the persona's weights, calls the real tools
 * with content in the archetype's voice, and rates each module from what actually happened (error
 * rate and latency), with notes that say why. The overwhelmed newbie sends invalid input now and
 * then and does things in a confused order. This is what `npm start` runs with no API key.
 */
@Injectable()
export class ScriptedBrain implements Brain {
  readonly name = 'scripted' as const;
  readonly model = null;

  constructor(@Inject(AppConfig) private readonly config: AppConfig) {}

  startDay(context: DayContext): BrainDay {
    return new ScriptedDay(context, this.config.personaSeed);
  }
}

export class ScriptedDay implements BrainDay {
  private readonly rng: SeededRandom;
  private readonly voice: ArchetypeVoice;
  private readonly confused: boolean;
  private readonly tools: Map<string, BrainTool>;
  private readonly experience = new Map<string, ModuleExperience>();
  private budget: number;

  constructor(
    private readonly context: DayContext,
    seed: string,
  ) {
    this.rng = new SeededRandom(`${seed}|${context.persona.id}|${context.today.date}`);
    this.voice = voiceOf(context.persona.archetype);
    this.confused = context.persona.archetype === CONFUSED_ARCHETYPE;
    this.tools = new Map(context.tools.map((t) => [t.name, t]));
    this.budget = context.maxTurns;
  }

  /** Today's modules: weighted draws from the mix, among modules that have tools. */
  plannedModules(): string[] {
    const available = new Set(this.context.tools.map((t) => t.module));
    let entries = Object.entries(this.context.persona.moduleMix)
      .filter(([module, weight]) => available.has(module) && weight > 0)
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([item, weight]) => ({ item, weight }));
    if (entries.length === 0) entries = [...available].sort().map((item) => ({ item, weight: 1 }));
    const count = this.confused ? this.rng.int(1, 2) : this.rng.int(2, 4);
    return this.rng.weightedSample(entries, Math.min(count, entries.length));
  }

  async play(): Promise<void> {
    const modules = this.plannedModules();
    if (this.rng.chance(0.15) && !modules.includes('spaces')) await this.call('spaces.list', {});
    for (const module of modules) {
      if (this.budget <= 0) break;
      await this.playModule(module);
    }
  }

  async reply(_prompt: string): Promise<string> {
    return JSON.stringify({ ratings: this.ratings() });
  }

  usage(): BrainUsage {
    return { tokensIn: 0, tokensOut: 0, costUsd: 0 };
  }

  /** The ratings, derived from what happened: errors cost up to 3 points, slowness up to 2. */
  ratings(): Array<{ module: string; rating: number; notes: string }> {
    return [...this.experience.entries()]
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([module, e]) => {
        const errorRate = e.errors / e.calls;
        const avg = Math.round(e.totalLatencyMs / e.calls);
        let rating = 5;
        if (errorRate >= 0.75) rating -= 3;
        else if (errorRate >= 0.4) rating -= 2;
        else if (errorRate > 0) rating -= 1;
        if (avg > 1000) rating -= 2;
        else if (avg > 300) rating -= 1;
        rating = Math.max(1, Math.min(5, rating));
        const parts = [
          `${e.calls} call${e.calls === 1 ? '' : 's'}, ${e.errors} failed, ${avg} ms on average.`,
        ];
        if (e.firstError) {
          parts.push(
            `${e.firstError.tool} answered "${e.firstError.message.slice(0, 160)}" — ${this.rng.pick(this.voice.complaint)}.`,
          );
        } else {
          parts.push(`Everything worked — ${this.rng.pick(this.voice.praise)}.`);
        }
        if (avg > 300) parts.push('It felt slow.');
        return { module, rating, notes: parts.join(' ') };
      });
  }

  private async playModule(module: string): Promise<void> {
    switch (module) {
      case 'todo':
        return this.todo();
      case 'notes':
        return this.notes();
      case 'journal':
        return this.journal();
      case 'habits':
        return this.habits();
      case 'mood':
        return this.mood();
      case 'calendar':
        return this.calendar();
      case 'contacts':
        return this.contacts();
      case 'spaces':
        return this.sharedSpaces();
      default:
        return this.generic(module);
    }
  }

  private async todo(): Promise<void> {
    const ids: string[] = [];
    if (this.confused && this.rng.chance(0.5)) {
      // completes a task before making any, with an id it half-remembers
      await this.call('todo.complete', { id: this.rng.uuid() });
    }
    for (let i = this.rng.int(1, 3); i > 0; i -= 1) {
      const title = this.rng.pick(this.voice.todos);
      if (this.confused && this.rng.chance(0.35)) {
        await this.call('todo.create', {}, { title, dueDate: 'next friday' });
        continue;
      }
      const hints: Record<string, unknown> = { title, priority: this.rng.pick(this.voice.priorities) };
      if (this.rng.chance(0.8)) hints.dueDate = addDays(this.context.today.date, this.rng.int(0, 7));
      if (this.rng.chance(0.3))
        hints.description = `For ${this.context.today.weekday}: ${title.toLowerCase()}.`;
      const made = await this.call('todo.create', hints);
      const id = findId(made?.data);
      if (id) ids.push(id);
    }
    if (this.rng.chance(0.5)) {
      const list = await this.call('todo.list', { status: 'open', order: 'due' });
      for (const id of listIds(list?.data)) if (!ids.includes(id)) ids.push(id);
    }
    if (ids.length > 0 && this.rng.chance(0.7)) await this.call('todo.complete', { id: this.rng.pick(ids) });
  }

  private async notes(): Promise<void> {
    for (let i = this.rng.int(1, 2); i > 0; i -= 1) {
      const note = composeNote(this.voice, this.rng);
      await this.call('notes.create', { title: note.title, content: note.content, body: note.content });
    }
    if (this.confused && this.rng.chance(0.3)) {
      await this.call('notes.search', {}, { query: '' });
    } else if (this.rng.chance(0.75)) {
      // looks for its own earlier notes: every note it writes mentions one of its topics
      await this.call('notes.search', { query: this.rng.pick(this.voice.topics) });
    }
  }

  private async journal(): Promise<void> {
    const name = this.pickTool('journal', ['add', 'create', 'write']);
    if (!name) return this.generic('journal');
    if (this.confused && this.rng.chance(0.25)) {
      // presses save on an empty entry
      await this.call(name, {}, { title: 'today' });
    } else {
      const text = composeJournal(this.voice, this.rng);
      const level = this.rng.int(0, 2);
      await this.call(name, {
        content: text,
        text,
        title: `${this.context.today.weekday}, ${this.context.today.date}`,
        entryDate: this.context.today.date,
        date: this.context.today.date,
        mood: ['low', 'okay', 'good'][level],
        tags: [this.rng.pick(this.voice.topics)],
      });
    }
    if (this.rng.chance(0.3)) {
      const list = this.pickTool('journal', ['list', 'recent']);
      if (list) await this.call(list, { limit: 5 });
    }
  }

  private async habits(): Promise<void> {
    const list = await this.call('habits.list', {});
    const ids = listIds(list?.data);
    if (ids.length === 0 || this.rng.chance(0.2)) {
      const made = await this.call('habits.create', { title: this.rng.pick(this.voice.habits) });
      const id = findId(made?.data);
      if (id) ids.push(id);
    }
    if (this.confused && this.rng.chance(0.35)) {
      // checks in on a habit that is not there, or writes the day the way people say it
      if (this.rng.chance(0.5)) await this.call('habits.log', { habitId: this.rng.uuid() });
      else await this.call('habits.log', {}, { habitId: ids[0] ?? this.rng.uuid(), day: 'yesterday' });
    } else if (ids.length > 0) {
      await this.call('habits.log', { habitId: this.rng.pick(ids), day: this.context.today.date, count: 1 });
    }
    if (this.rng.chance(0.3)) await this.call('habits.recent_logs', { days: 7 });
  }

  private async mood(): Promise<void> {
    const name = this.pickTool('mood', ['log', 'add', 'create', 'record']);
    if (!name) return this.generic('mood');
    const level = this.rng.int(0, this.voice.moodNotes.length - 1);
    const share = this.voice.moodNotes.length > 1 ? level / (this.voice.moodNotes.length - 1) : 0.5;
    const schema = this.tools.get(name)?.inputSchema ?? {};
    const hints: Record<string, unknown> = {
      emotion: this.rng.pick(share < 0.34 ? LOW_EMOTIONS : share < 0.67 ? MID_EMOTIONS : HIGH_EMOTIONS),
      activity: this.voice.activity,
      notes: this.voice.moodNotes[level],
      note: this.voice.moodNotes[level],
    };
    for (const key of ['level', 'rating', 'score', 'mood', 'value']) {
      hints[key] = scaled(propertyOf(schema, key), share);
    }
    if (this.confused && this.rng.chance(0.3)) {
      // a mood of 42 on a scale that stops much lower
      const input = inputFromSchema(schema, hints, this.rng, this.context.today.date);
      for (const key of ['level', 'rating', 'score', 'mood', 'value']) if (key in input) input[key] = 42;
      await this.call(name, {}, input);
    } else {
      await this.call(name, hints);
    }
    if (this.rng.chance(0.3)) {
      const list = this.pickTool('mood', ['recent', 'list', 'history']);
      if (list) await this.call(list, { days: 7, limit: 7 });
    }
  }

  private async calendar(): Promise<void> {
    const name = this.pickTool('calendar', ['create', 'add', 'create_event', 'add_event']);
    if (!name) return this.generic('calendar');
    const day = addDays(this.context.today.date, this.rng.int(0, 5));
    const hour = this.rng.int(8, 18);
    const start = localIso(day, hour, this.context.persona.timezone);
    const end = localIso(day, hour + 1, this.context.persona.timezone);
    const title = this.rng.pick(this.voice.events);
    const times = this.confused && this.rng.chance(0.3) ? { start: end, end: start } : { start, end };
    await this.call(name, {
      title,
      name: title,
      start: times.start,
      end: times.end,
      startsAt: times.start,
      endsAt: times.end,
      startAt: times.start,
      endAt: times.end,
      allDay: false,
    });
    if (this.rng.chance(0.4)) {
      const list = this.pickTool('calendar', ['list_events', 'list', 'upcoming', 'agenda']);
      const from = this.context.today.date;
      if (list) await this.call(list, { from, to: addDays(from, 7), days: 7 });
    }
  }

  private async contacts(): Promise<void> {
    const name = this.pickTool('contacts', ['create', 'add']);
    if (!name) return this.generic('contacts');
    const contact = this.rng.pick(this.voice.contacts);
    const [first, ...rest] = contact.name.split(' ');
    await this.call(name, {
      name: contact.name,
      displayName: contact.name,
      firstName: first,
      lastName: rest.join(' ') || undefined,
      notes: contact.about,
      note: contact.about,
    });
    if (this.rng.chance(0.4)) {
      const search = this.pickTool('contacts', ['search', 'list']);
      if (search) await this.call(search, { query: first, limit: 10 });
    }
  }

  /**
   * Looks at its spaces and, when it shares one (family, team, ...), does something there for the
   * others: a task on the shared list, or an event in a family calendar.
   */
  private async sharedSpaces(): Promise<void> {
    const list = await this.call('spaces.list', {});
    const items = (
      list?.data as { items?: Array<{ id?: unknown; name?: unknown; type?: unknown }> } | undefined
    )?.items;
    const shared = (Array.isArray(items) ? items : []).filter(
      (s): s is { id: string; name: string; type: string } =>
        typeof s.id === 'string' && typeof s.name === 'string' && s.type !== 'personal',
    );
    if (shared.length === 0) return;
    const space = this.rng.pick(shared);
    const event = this.pickTool('calendar', ['create_event', 'create', 'add']);
    if (space.type === 'family' && event && this.rng.chance(0.5)) {
      const day = addDays(this.context.today.date, this.rng.int(1, 6));
      const hour = this.rng.int(9, 17);
      const start = localIso(day, hour, this.context.persona.timezone);
      const end = localIso(day, hour + 1, this.context.persona.timezone);
      await this.call(
        event,
        { title: this.rng.pick(this.voice.events), startsAt: start, endsAt: end, start, end },
        undefined,
        space.id,
      );
      return;
    }
    const title = `${this.rng.pick(this.voice.todos)} (for ${space.name})`;
    await this.call(
      'todo.create',
      {
        title,
        priority: this.rng.pick(this.voice.priorities),
        dueDate: addDays(this.context.today.date, this.rng.int(1, 7)),
      },
      undefined,
      space.id,
    );
  }

  /** A module this brain has no routine for: look around, then add something. */
  private async generic(module: string): Promise<void> {
    const list = this.pickTool(module, ['list', 'recent', 'search']);
    if (list) await this.call(list, {});
    const add = this.pickTool(module, ['create', 'add', 'log', 'record']);
    if (add) {
      const text = composeJournal(this.voice, this.rng);
      await this.call(add, {
        title: this.rng.pick(this.voice.todos),
        name: this.rng.pick(this.voice.todos),
        content: text,
        text,
        notes: text,
      });
    }
  }

  private pickTool(module: string, verbs: string[]): string | undefined {
    return verbs.map((v) => `${module}.${v}`).find((n) => this.tools.has(n));
  }

  /**
   * Calls a tool if it exists and the turn budget allows: with `raw`, exactly that input (the newbie's
   * mistakes); otherwise an input built from the tool's schema and the hints. `spaceId` acts in a
   * shared space instead of the personal one.
   */
  private async call(
    name: string,
    hints: Record<string, unknown>,
    raw?: Record<string, unknown>,
    spaceId?: string,
  ): Promise<ToolOutcome | undefined> {
    const tool = this.tools.get(name);
    if (!tool || this.budget <= 0) return undefined;
    this.budget -= 1;
    const input = raw ?? inputFromSchema(tool.inputSchema, hints, this.rng, this.context.today.date);
    const outcome = await this.context.callTool(name, input, spaceId ? { spaceId } : undefined);
    const e = this.experience.get(tool.module) ?? { calls: 0, errors: 0, totalLatencyMs: 0 };
    e.calls += 1;
    e.totalLatencyMs += outcome.latencyMs;
    if (!outcome.ok) {
      e.errors += 1;
      e.firstError ??= { tool: name, message: outcome.text };
    }
    this.experience.set(tool.module, e);
    return outcome;
  }
}

const LOW_EMOTIONS = ['stressed', 'anxious', 'overwhelmed', 'tired', 'frustrated'];
const MID_EMOTIONS = ['neutral', 'content', 'calm', 'tired'];
const HIGH_EMOTIONS = ['happy', 'proud', 'excited', 'grateful'];

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** The id of the row a create-like tool answered (`{task: {id}}`, `{id}`, ...). */
function findId(data: unknown, depth = 0): string | undefined {
  if (typeof data !== 'object' || data === null || depth > 2) return undefined;
  const record = data as Record<string, unknown>;
  if (typeof record.id === 'string' && UUID.test(record.id)) return record.id;
  for (const value of Object.values(record)) {
    if (typeof value === 'object' && value !== null && !Array.isArray(value)) {
      const id = findId(value, depth + 1);
      if (id) return id;
    }
  }
  return undefined;
}

/** The ids of a list-like answer (`{items: [{id}, ...]}`). */
function listIds(data: unknown): string[] {
  const items = (data as { items?: unknown } | undefined)?.items;
  if (!Array.isArray(items)) return [];
  return items
    .map((item) => (item as { id?: unknown } | null)?.id)
    .filter((id): id is string => typeof id === 'string' && UUID.test(id));
}

function propertyOf(schema: Record<string, unknown>, key: string): Record<string, unknown> | undefined {
  const props = schema.properties as Record<string, Record<string, unknown>> | undefined;
  return props?.[key];
}

/** A mood level in [0, 1] as the field wants it: a number within its bounds, or one of its enum values. */
function scaled(prop: Record<string, unknown> | undefined, share: number): unknown {
  if (!prop) return undefined;
  const values = Array.isArray(prop.enum) ? prop.enum : undefined;
  if (values && values.length > 0) return values[Math.round(share * (values.length - 1))];
  const min = typeof prop.minimum === 'number' ? prop.minimum : 1;
  const max = typeof prop.maximum === 'number' ? prop.maximum : 5;
  return Math.round(min + share * (max - min));
}

export function addDays(day: string, days: number): string {
  return new Date(Date.parse(`${day}T00:00:00Z`) + days * 86_400_000).toISOString().slice(0, 10);
}

/** `day` at `hour`:00 on the wall clock of `timezone`, as ISO 8601 with that zone's offset. */
export function localIso(day: string, hour: number, timezone: string): string {
  const hh = String(Math.min(23, hour)).padStart(2, '0');
  let offset = 'Z';
  try {
    const probe = new Date(`${day}T${hh}:00:00Z`);
    const name = new Intl.DateTimeFormat('en-US', { timeZone: timezone, timeZoneName: 'longOffset' })
      .formatToParts(probe)
      .find((p) => p.type === 'timeZoneName')?.value;
    const match = name ? /GMT([+-]\d{2}):?(\d{2})?/.exec(name) : null;
    if (match) offset = `${match[1]}:${match[2] ?? '00'}`;
    if (offset === '+00:00' || offset === '-00:00') offset = 'Z';
  } catch {
    offset = 'Z';
  }
  return `${day}T${hh}:00:00${offset}`;
}
