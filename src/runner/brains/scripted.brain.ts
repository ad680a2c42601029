import { Inject, Injectable } from '@nestjs/common';
import { AppConfig } from '../../config/app-config.js';
import { addDays } from '../../common/dates.js';
import { isUuid } from '../../common/uuid.js';
import type {
  Brain,
  BrainDay,
  BrainTool,
  BrainUsage,
  DayContext,
  FindingClass,
  ToolOutcome,
} from './brain.js';
import type { FieldExpectation, Mismatch } from './oracle-checks.js';
import {
  averageMismatch,
  countMismatch,
  countWords,
  duplicateIds,
  fieldMismatches,
  itemsOf,
  limitExceeded,
  namesField,
  orderViolation,
  rowOf,
  sameInstant,
  searchMiss,
  show,
} from './oracle-checks.js';
import { CONFUSED_ARCHETYPE, composeJournal, composeNote, voiceOf } from './scripted-content.js';
import type { ArchetypeVoice } from './scripted-content.js';
import { SeededRandom } from './seeded-random.js';

export { addDays };

/** What happened in one module today, as the scripted brain remembers it for its ratings. */
export interface ModuleExperience {
  calls: number;
  /** Failed calls the persona did not cause itself. */
  errors: number;
  totalLatencyMs: number;
  firstError?: { tool: string; message: string };
  /** App findings of this module today, in the persona's words. */
  findings: Array<{ class: FindingClass; say: string }>;
}

type Row = Record<string, unknown>;

/**
 * The offline brain: no network, no API key, deterministic from (PERSONA_SEED, persona id, the
 * persona's local date). It picks today's modules by the persona's weights, calls the real tools by
 * their real names with content in the archetype's voice, and **checks every answer** against what
 * it did and what the tool promises (its description and schema): what I wrote reads back as I wrote
 * it, what I created is listed and found, state changes stick, counts and averages add up, times
 * come back as the same instant, limits, filters and orders are honoured, and invalid input is
 * refused with a message that names the field. A failed check is a finding, recorded as it happens;
 * ratings and notes follow the findings. The overwhelmed newbie sends invalid input now and then:
 * those failures are its own mistakes, not the app's. This is what `npm start` runs with no API key.
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
    const count = this.confused ? this.rng.int(1, 2) : this.rng.int(2, 3);
    return this.rng.weightedSample(entries, Math.min(count, entries.length));
  }

  async play(): Promise<void> {
    const modules = this.plannedModules();
    if (this.rng.chance(0.15) && !modules.includes('spaces')) await this.call('spaces.list', {});
    for (const module of modules) {
      if (this.budget <= 0) break;
      await this.playModule(module);
    }
    await this.flush();
  }

  async reply(_prompt: string): Promise<string> {
    return JSON.stringify({ ratings: this.ratings() });
  }

  usage(): BrainUsage {
    return { tokensIn: 0, tokensOut: 0, costUsd: 0 };
  }

  /**
   * The ratings, derived from what happened: errors cost up to 3 points, slowness up to 2, and each
   * wrong answer or lost write 2 (an ignored field or a confusing message 1). The notes say why, in
   * the persona's words ("I added ... and the list didn't show it").
   */
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
        for (const f of e.findings) rating -= f.class === 'wrong_result' || f.class === 'lost_write' ? 2 : 1;
        rating = Math.max(1, Math.min(5, rating));
        const parts = [
          `${e.calls} call${e.calls === 1 ? '' : 's'}, ${e.errors} failed, ${avg} ms on average.`,
        ];
        if (e.firstError) {
          parts.push(
            `${e.firstError.tool} answered "${e.firstError.message.slice(0, 160)}" — ${this.rng.pick(this.voice.complaint)}.`,
          );
        }
        for (const f of e.findings.slice(0, 3)) parts.push(f.say);
        if (!e.firstError && e.findings.length === 0) {
          parts.push(`Everything worked — ${this.rng.pick(this.voice.praise)}.`);
        } else if (!e.firstError) {
          parts.push(`${this.rng.pick(this.voice.complaint)}.`);
        }
        if (avg > 300) parts.push('It felt slow.');
        return { module, rating, notes: parts.join(' ').slice(0, 3900) };
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
        return undefined;
    }
  }

  // ---------------------------------------------------------------- todo

  private async todo(): Promise<void> {
    if (this.confused && this.rng.chance(0.5)) {
      // completes a task before making any, with an id it half-remembers
      const ghost = await this.mistake('todo.complete', { id: this.rng.uuid() });
      if (ghost?.ok) {
        await this.fail(
          ghost,
          'todo',
          'todo.complete',
          'wrong_result',
          'not-found.refused',
          {
            expected: 'an error: no task has that id',
            got: 'success',
          },
          'todo.complete "completed" a task that does not exist.',
        );
      }
    }
    if (!this.confused && this.rng.chance(0.3)) await this.finishEarlierTask();
    const title = this.rng.pick(this.voice.todos);
    if (this.confused && this.rng.chance(0.35)) {
      await this.refusal('todo.create', { title, dueDate: 'next friday' }, 'dueDate');
      return;
    }
    const input: Row = { title, priority: this.rng.pick(this.voice.priorities) };
    if (this.rng.chance(0.8)) input.dueDate = addDays(this.context.today.date, this.rng.int(0, 7));
    if (this.rng.chance(0.4))
      input.description = `For ${this.context.today.weekday}: ${title.toLowerCase()}.`;
    if (this.rng.chance(0.3)) input.subtasks = ['Start', 'Finish'];
    if (this.rng.chance(0.4)) {
      // a quick one first, jotted down without details
      const quick = this.rng.pick(this.voice.todos);
      const jotted = await this.call('todo.create', { title: quick });
      this.checkWrite(jotted, 'todo', 'todo.create', 'task', [
        { field: 'title', kind: 'text', sent: quick },
        { field: 'priority', kind: 'exact', sent: 'medium' },
        { field: 'status', kind: 'exact', sent: 'open' },
      ]);
    }
    const made = await this.call('todo.create', input);
    const task = this.checkWrite(made, 'todo', 'todo.create', 'task', [
      { field: 'title', kind: 'text', sent: input.title },
      { field: 'priority', kind: 'exact', sent: input.priority, ignored: 'medium' },
      { field: 'dueDate', kind: 'exact', sent: input.dueDate, ignored: null },
      { field: 'description', kind: 'text', sent: input.description, ignored: null },
      {
        field: 'subtasks',
        kind: 'json',
        sent: (input.subtasks as string[] | undefined)?.map((t) => ({ title: t, done: false })),
        ignored: [],
      },
      { field: 'status', kind: 'exact', sent: 'open' },
    ]);
    if (!task) return;
    const id = task.id as string;

    const limit = this.rng.pick([1, 1, 2, 3, 5]);
    const listed = await this.readList(
      'todo.list',
      'todo',
      { status: 'all', order: 'newest', limit },
      {
        limit,
        order: { key: 'createdAt', direction: 'desc' },
      },
    );
    if (listed) {
      const mine = listed.items.find((t) => t.id === id);
      if (!mine) {
        await this.missing(listed.outcome, 'todo', 'todo.list', 'todo.create', title, () =>
          this.call('todo.update', { id, title }, { probe: true }),
        );
        return;
      }
      this.compareReadBack(listed.outcome, 'todo', 'todo.list', mine, task, [
        'title',
        'priority',
        'dueDate',
        'status',
      ]);
    }

    if (this.rng.chance(0.55)) {
      const done = await this.call('todo.complete', { id });
      const row = this.checkWrite(done, 'todo', 'todo.complete', 'task', [
        { field: 'status', kind: 'exact', sent: 'done' },
      ]);
      if (row && typeof row.completedAt !== 'string') {
        await this.fail(
          done!,
          'todo',
          'todo.complete',
          'wrong_result',
          'state.completed-at',
          {
            expected: 'completedAt set',
            got: `completedAt ${show(row.completedAt)}`,
          },
          'A task I completed has no completion time.',
        );
      }
      if (!row || row.status !== 'done') return;
      const open = await this.readList(
        'todo.list',
        'todo',
        { status: 'open', order: 'due', limit: 50 },
        {
          limit: 50,
          order: { key: 'dueDate', direction: 'asc', nullsLast: true },
        },
      );
      if (open) {
        const bad = open.items.find((t) => t.status !== 'open');
        if (bad) {
          await this.fail(
            open.outcome,
            'todo',
            'todo.list',
            'contract',
            'filter.status-open',
            {
              expected: 'only open tasks (status: open)',
              got: `task with status ${show(bad.status)}`,
            },
            'I asked for my open tasks and got finished ones too.',
          );
        } else if (open.items.length < 50 && open.items.some((t) => t.id === id)) {
          await this.fail(
            open.outcome,
            'todo',
            'todo.complete',
            'lost_write',
            'state.completed-stays-done',
            {
              expected: `task "${title}" done`,
              got: 'still listed as open',
            },
            `I completed "${title}" and it came back open.`,
          );
        }
      }
    } else {
      const patch: Row = { id, priority: this.otherThan(['low', 'medium', 'high', 'urgent'], task.priority) };
      patch.dueDate = addDays(this.context.today.date, this.rng.int(8, 14));
      if (this.rng.chance(0.5)) patch.title = `${title} (moved)`;
      const updated = await this.call('todo.update', patch);
      const row = this.checkWrite(updated, 'todo', 'todo.update', 'task', [
        // an update that answers a field unchanged dropped it: a wrong answer (no `ignored` here)
        { field: 'priority', kind: 'exact', sent: patch.priority },
        { field: 'dueDate', kind: 'exact', sent: patch.dueDate },
        { field: 'title', kind: 'text', sent: patch.title },
      ]);
      if (!row) return;
      const again = await this.readList(
        'todo.list',
        'todo',
        { status: 'all', order: 'newest', limit: 50 },
        {
          limit: 50,
          order: { key: 'createdAt', direction: 'desc' },
        },
      );
      const mine = again?.items.find((t) => t.id === id);
      if (again && mine) {
        await this.lostUpdate(
          again.outcome,
          'todo',
          'todo.update',
          mine,
          patch,
          ['priority', 'dueDate', 'title'],
          row,
        );
      }
    }
  }

  // ---------------------------------------------------------------- notes

  private async notes(): Promise<void> {
    if (this.confused && this.rng.chance(0.3)) {
      await this.refusal('notes.search', { query: '' }, 'query');
      return;
    }
    const note = composeNote(this.voice, this.rng);
    const made = await this.call('notes.create', { title: note.title, content: note.content });
    const row = this.checkWrite(made, 'notes', 'notes.create', 'note', [
      { field: 'title', kind: 'text', sent: note.title },
      { field: 'content', kind: 'text', sent: note.content, ignored: '' },
      { field: 'archived', kind: 'exact', sent: false },
    ]);
    if (!row) return;
    const id = row.id as string;
    // looks for it again by a word of it, typed in another case (the tool promises case does not matter)
    const word = searchableWord(`${note.title} ${note.content}`, this.rng);
    const text = `${note.title} ${note.content}`;
    const cases = this.rng.chance(0.5)
      ? [word.toUpperCase(), word.toLowerCase()]
      : [word.toLowerCase(), word.toUpperCase()];
    // in a case the note does not use, so a search that minds case shows itself
    const query = cases.find((c) => !text.includes(c)) ?? word;
    const found = await this.search('notes.search', 'notes', { query, limit: 10 }, ['title', 'content'], 10);
    if (!found) return;
    if (!found.items.some((n) => n.id === id)) {
      await this.missing(found.outcome, 'notes', 'notes.search', 'notes.create', note.title, () =>
        this.call('notes.archive', { id, archived: false }, { probe: true }),
      );
      return;
    }
    // then by a phrase of it, as written (every word counts), or in the wrong order (no note matches)
    const phrase = commonPhraseOf(note.content) ?? phraseOf(note.content, note.topic);
    if (phrase && this.rng.chance(0.7)) {
      if (this.rng.chance(0.6)) {
        const hit = await this.search(
          'notes.search',
          'notes',
          { query: phrase, limit: 10 },
          ['title', 'content'],
          10,
        );
        if (hit && !hit.items.some((n) => n.id === id)) {
          await this.fail(
            hit.outcome,
            'notes',
            'notes.search',
            'wrong_result',
            'search.finds-phrase',
            {
              expected: `note "${note.title}" found by "${phrase}"`,
              got: 'not found (a word of it finds it)',
            },
            `Searching "${phrase}" did not find my note "${note.title}", which has exactly those words.`,
          );
        }
      } else {
        const swapped = phrase.split(/\W+/).filter(Boolean).reverse().join(' ');
        await this.search('notes.search', 'notes', { query: swapped, limit: 10 }, ['title', 'content'], 10);
      }
    }

    if (this.rng.chance(0.5)) {
      const addition = `Also: ${this.rng.pick(this.voice.topics)} ${this.context.today.weekday.toLowerCase()} follow-up.`;
      const content = `${note.content}\n${addition}`;
      const updated = await this.call('notes.update', { id, content });
      const after = this.checkWrite(updated, 'notes', 'notes.update', 'note', [
        { field: 'content', kind: 'text', sent: content },
        { field: 'title', kind: 'text', sent: note.title },
      ]);
      if (!after) return;
      const again = await this.search(
        'notes.search',
        'notes',
        { query: 'follow-up', limit: 50 },
        ['title', 'content'],
        50,
      );
      if (again && !again.items.some((n) => n.id === id)) {
        await this.fail(
          again.outcome,
          'notes',
          'notes.update',
          'lost_write',
          'read-your-writes.update',
          {
            expected: `note "${note.title}" found by the words I added`,
            got: 'not found',
          },
          `I added to my note "${note.title}" and searching for what I added didn't find it.`,
        );
      }
    } else {
      const archived = await this.call('notes.archive', { id });
      const after = this.checkWrite(archived, 'notes', 'notes.archive', 'note', [
        { field: 'archived', kind: 'exact', sent: true },
      ]);
      if (!after) return;
      const hidden = await this.search(
        'notes.search',
        'notes',
        { query: word, limit: 50 },
        ['title', 'content'],
        50,
      );
      if (hidden?.items.some((n) => n.id === id)) {
        await this.fail(
          hidden.outcome,
          'notes',
          'notes.archive',
          'lost_write',
          'state.archived-leaves-search',
          {
            expected: 'archived note skipped by search',
            got: `note "${note.title}" still found`,
          },
          `I archived "${note.title}" and search still shows it.`,
        );
      } else if (hidden) {
        const all = await this.search(
          'notes.search',
          'notes',
          { query: word, limit: 50, includeArchived: true },
          ['title', 'content'],
          50,
        );
        if (all && !all.items.some((n) => n.id === id)) {
          await this.fail(
            all.outcome,
            'notes',
            'notes.search',
            'contract',
            'filter.include-archived',
            {
              expected: `archived note "${note.title}" found with includeArchived`,
              got: 'not found',
            },
            'Searching with archived notes included did not find the note I had just archived.',
          );
        }
      }
    }
  }

  // ---------------------------------------------------------------- journal

  private async journal(): Promise<void> {
    if (this.confused && this.rng.chance(0.25)) {
      // presses save on an empty entry
      await this.refusal('journal.add', { title: 'today' }, 'content');
      return;
    }
    const content = composeJournal(this.voice, this.rng);
    const entryDate = this.rng.chance(0.7)
      ? this.context.today.date
      : addDays(this.context.today.date, -this.rng.int(1, 3));
    const input: Row = {
      content,
      title: `${this.context.today.weekday}, ${this.context.today.date}`,
      entryDate,
      mood: this.rng.pick(['great', 'good', 'okay', 'low', 'bad']),
      tags: [this.rng.pick(this.voice.topics)],
    };
    const made = await this.call('journal.add', input);
    const row = this.checkWrite(made, 'journal', 'journal.add', 'entry', [
      { field: 'content', kind: 'text', sent: content },
      { field: 'title', kind: 'text', sent: input.title, ignored: null },
      { field: 'entryDate', kind: 'exact', sent: entryDate, ignored: this.context.today.date },
      { field: 'mood', kind: 'exact', sent: input.mood, ignored: null },
      { field: 'tags', kind: 'tags', sent: input.tags, ignored: [] },
    ]);
    if (!row) return;
    if (typeof row.wordCount === 'number' && row.wordCount !== countWords(content)) {
      await this.fail(
        made!,
        'journal',
        'journal.add',
        'wrong_result',
        'computed.word-count',
        {
          expected: `wordCount ${countWords(content)}`,
          got: `wordCount ${row.wordCount}`,
        },
        'The word count of my entry is wrong.',
      );
    }
    const id = row.id as string;
    if (this.rng.chance(0.5)) {
      // one more line before bed: a second, short entry for the same day
      const line = `${this.rng.pick(this.voice.journalClosings)}`;
      const second = await this.call('journal.add', { content: line, entryDate });
      this.checkWrite(second, 'journal', 'journal.add', 'entry', [
        { field: 'content', kind: 'text', sent: line },
        { field: 'entryDate', kind: 'exact', sent: entryDate, ignored: this.context.today.date },
      ]);
    }
    const narrow = this.rng.chance(0.25);
    const query: Row = narrow
      ? { from: entryDate, to: entryDate, limit: 50 }
      : { limit: this.rng.pick([1, 1, 2]) };
    const listed = await this.readList('journal.list', 'journal', query, {
      limit: query.limit as number,
      order: { key: 'entryDate', direction: 'desc' },
    });
    if (!listed) return;
    if (narrow) {
      const outside = listed.items.find(
        (e) => typeof e.entryDate === 'string' && (e.entryDate < entryDate || e.entryDate > entryDate),
      );
      if (outside) {
        await this.fail(
          listed.outcome,
          'journal',
          'journal.list',
          'contract',
          'filter.date-range',
          {
            expected: `entries dated ${entryDate} only (from/to)`,
            got: `an entry dated ${show(outside.entryDate)}`,
          },
          'I asked for one day of my journal and got other days too.',
        );
      }
    }
    const mine = listed.items.find((e) => e.id === id);
    // entries of one date come in no promised order, so only a list that was not cut by its limit must show it
    const shouldShow = listed.items.length < (query.limit as number);
    if (!mine && shouldShow) {
      // a second look, narrowed to that day, tells a list that drops it from a write that never landed
      const second = narrow
        ? await this.call('journal.list', { limit: 50 })
        : await this.call('journal.list', { from: entryDate, to: entryDate, limit: 50 });
      const there = itemsOf(second?.data)?.some((e) => e.id === id) ?? false;
      if (there) {
        await this.fail(
          listed.outcome,
          'journal',
          'journal.list',
          'wrong_result',
          'read-your-writes.list',
          {
            expected: `entry "${input.title}" listed`,
            got: 'missing (another listing shows it)',
          },
          `My entry "${input.title}" was missing from the journal list.`,
        );
      } else if (second?.ok) {
        await this.fail(
          second,
          'journal',
          'journal.add',
          'lost_write',
          'read-your-writes.list',
          {
            expected: `entry "${input.title}" stored`,
            got: 'no listing shows it',
          },
          `I wrote my journal entry "${input.title}" and it is gone.`,
        );
      }
    } else if (mine) {
      this.compareReadBack(listed.outcome, 'journal', 'journal.list', mine, row, [
        'content',
        'title',
        'entryDate',
        'mood',
      ]);
    }
  }

  // ---------------------------------------------------------------- habits

  private async habits(): Promise<void> {
    const listed = await this.readList(
      'habits.list',
      'habits',
      {},
      { order: { key: 'position', direction: 'asc' } },
    );
    if (!listed) return;
    const archivedShown = listed.items.find((h) => h.archived === true);
    if (archivedShown) {
      await this.fail(
        listed.outcome,
        'habits',
        'habits.list',
        'contract',
        'filter.active-only',
        {
          expected: 'only active habits',
          got: `archived habit ${show(archivedShown.title)}`,
        },
        'My habit list shows habits I archived.',
      );
    }
    if (this.rng.chance(0.5)) await this.lookBackAtCheckIns();
    let habits = listed.items;
    if (habits.length === 0 || this.rng.chance(0.3)) {
      const input: Row = { title: this.rng.pick(this.voice.habits) };
      if (this.rng.chance(0.5))
        input.target = { count: this.rng.int(1, 5), per: this.rng.pick(['day', 'week']) };
      if (this.rng.chance(0.3)) input.color = this.rng.pick(['#22aa88', '#aa2288', '#3366cc']);
      const made = await this.call('habits.create', input);
      const row = this.checkWrite(made, 'habits', 'habits.create', 'habit', [
        { field: 'title', kind: 'text', sent: input.title },
        { field: 'target', kind: 'json', sent: input.target, ignored: null },
        { field: 'color', kind: 'exact', sent: input.color, ignored: null },
        { field: 'archived', kind: 'exact', sent: false },
      ]);
      if (!row) return;
      const again = await this.readList(
        'habits.list',
        'habits',
        {},
        { order: { key: 'position', direction: 'asc' } },
      );
      if (again && !again.items.some((h) => h.id === row.id)) {
        await this.missing(again.outcome, 'habits', 'habits.list', 'habits.create', String(input.title), () =>
          this.call('habits.archive', { id: row.id, archived: false }, { probe: true }),
        );
        return;
      }
      habits = again?.items ?? [row];
    }
    if (this.confused && this.rng.chance(0.35)) {
      // checks in on a habit that is not there, or writes the day the way people say it
      if (this.rng.chance(0.5)) {
        const ghost = await this.mistake('habits.log', { habitId: this.rng.uuid() });
        if (ghost?.ok) {
          await this.fail(
            ghost,
            'habits',
            'habits.log',
            'wrong_result',
            'not-found.refused',
            {
              expected: 'an error: no habit has that id',
              got: 'success',
            },
            'habits.log accepted a check-in for a habit that does not exist.',
          );
        }
      } else {
        await this.refusal(
          'habits.log',
          { habitId: habits[0]?.id ?? this.rng.uuid(), day: 'yesterday' },
          'day',
        );
      }
      return;
    }
    const habit = this.rng.pick(habits);
    const id = habit.id as string;
    // today, or a day it forgot to check in on
    const day = addDays(this.context.today.date, -this.rng.pick([0, 0, 1, 2, 3]));
    const first = await this.call('habits.log', { habitId: id, day, count: 1 });
    const log = rowOf(first?.data, 'log');
    if (!first?.ok) return;
    if (!log) return void (await this.shapeFinding(first, 'habits', 'habits.log', 'log'));
    const mismatches = fieldMismatches(log, [
      { field: 'habitId', kind: 'exact', sent: id },
      { field: 'day', kind: 'exact', sent: day, ignored: this.context.today.at.toISOString().slice(0, 10) },
    ]);
    // a first check-in keeps the count sent; a repeat must keep whatever the first one stored
    const created = (first.data as { created?: unknown }).created;
    if (created === true && log.count !== 1) {
      mismatches.push({
        field: 'count',
        expected: 'count 1 (as sent)',
        got: `count ${show(log.count)}`,
        class: 'wrong_result',
      });
    }
    for (const m of mismatches) {
      await this.fail(
        first,
        'habits',
        'habits.log',
        m.class,
        `write.echo.${m.field}`,
        m,
        `My check-in came back with ${m.got} instead of ${m.expected}.`,
      );
    }
    const variant = this.rng.pick([0, 1, 2, 2, 3]);
    if (variant === 0) {
      const repeat = await this.call('habits.log', { habitId: id, day, count: 1 });
      const again = rowOf(repeat?.data, 'log');
      if (repeat?.ok && again) {
        const createdAgain = (repeat.data as { created?: unknown }).created;
        if (createdAgain !== false || again.count !== log.count) {
          await this.fail(
            repeat,
            'habits',
            'habits.log',
            'wrong_result',
            'idempotent.one-per-day',
            {
              expected: `created false, count ${show(log.count)} (one check-in per day)`,
              got: `created ${show(createdAgain)}, count ${show(again.count)}`,
            },
            'Checking in twice on one day counted twice.',
          );
        }
      }
    } else if (variant === 1) {
      const recent = await this.call('habits.recent_logs', { habitId: id, days: 7 });
      await this.checkRecentLogs(recent, id, day, log.count);
    } else if (variant === 2) {
      const archived = await this.call('habits.archive', { id });
      const row = this.checkWrite(archived, 'habits', 'habits.archive', 'habit', [
        { field: 'archived', kind: 'exact', sent: true },
      ]);
      if (!row) return;
      const active = await this.call('habits.list', {});
      if (itemsOf(active?.data)?.some((h) => h.id === id)) {
        await this.fail(
          active!,
          'habits',
          'habits.archive',
          'lost_write',
          'state.archived-leaves-list',
          {
            expected: `habit ${show(habit.title)} gone from the active list`,
            got: 'still listed',
          },
          `I archived ${show(habit.title)} and it is still in my list.`,
        );
      }
      const restored = await this.call('habits.archive', { id, archived: false });
      this.checkWrite(restored, 'habits', 'habits.archive', 'habit', [
        { field: 'archived', kind: 'exact', sent: false },
      ]);
    } else {
      const patch: Row = { id, title: `${String(habit.title).replace(/ \(daily\)$/, '')} (daily)` };
      if (this.rng.chance(0.5)) patch.target = { count: this.rng.int(1, 3), per: 'day' };
      const updated = await this.call('habits.update', patch);
      const row = this.checkWrite(updated, 'habits', 'habits.update', 'habit', [
        { field: 'title', kind: 'text', sent: patch.title },
        { field: 'target', kind: 'json', sent: patch.target },
      ]);
      if (!row) return;
      const again = await this.call('habits.list', {});
      const mine = itemsOf(again?.data)?.find((h) => h.id === id);
      if (again?.ok && mine)
        await this.lostUpdate(again, 'habits', 'habits.update', mine, patch, ['title', 'target'], row);
    }
  }

  /**
   * Yesterday's work: the task due soonest that it wrote on an earlier day gets done today, and the
   * open list no longer shows it.
   */
  private async finishEarlierTask(): Promise<void> {
    const startOfToday = Date.parse(this.context.today.at.toISOString()) - 6 * 3_600_000;
    const open = await this.readList(
      'todo.list',
      'todo',
      { status: 'open', order: 'due', limit: 20 },
      { limit: 20, order: { key: 'dueDate', direction: 'asc', nullsLast: true } },
    );
    const earlier = open?.items.find(
      (t) =>
        typeof t.createdAt === 'string' &&
        Date.parse(t.createdAt) < startOfToday &&
        isUuid(t.id) &&
        typeof t.title === 'string',
    );
    if (!open || !earlier) return;
    const done = await this.call('todo.complete', { id: earlier.id });
    const row = this.checkWrite(done, 'todo', 'todo.complete', 'task', [
      { field: 'status', kind: 'exact', sent: 'done' },
      { field: 'title', kind: 'text', sent: earlier.title },
      { field: 'createdAt', kind: 'instant', sent: earlier.createdAt },
    ]);
    if (!row || row.status !== 'done') return;
    const again = await this.call('todo.list', { status: 'open', order: 'due', limit: 20 });
    const still = itemsOf(again?.data)?.find((t) => t.id === earlier.id);
    if (again?.ok && still) {
      await this.fail(
        again,
        'todo',
        'todo.complete',
        'lost_write',
        'state.completed-stays-done',
        { expected: `task ${show(earlier.title)} done`, got: 'still in the open list' },
        `I finally finished ${show(earlier.title)} from an earlier day and it is still open.`,
      );
    }
  }

  /**
   * The day before: when its memory says it checked in on a habit yesterday, the check-ins of the
   * last 7 days must show at least one (a check-in is for that day or up to three days before it,
   * and the server counts days in UTC, so yesterday's stays inside its week).
   */
  private async lookBackAtCheckIns(): Promise<void> {
    const since = addDays(this.context.today.date, -1);
    const earlier = (this.context.memory?.days ?? []).some(
      (d) =>
        d.date >= since &&
        d.date < this.context.today.date &&
        d.calls.some((c) => c.tool === 'habits.log' && c.ok),
    );
    if (!earlier) return;
    const recent = await this.call('habits.recent_logs', { days: 7 });
    const items = recent?.ok ? itemsOf(recent.data) : null;
    if (recent && items && items.length === 0) {
      await this.fail(
        recent,
        'habits',
        'habits.log',
        'lost_write',
        'read-your-writes.earlier-days',
        { expected: 'my check-ins of the last few days', got: 'no check-ins in the last 7 days' },
        'The check-ins I made on earlier days are gone.',
      );
    }
  }

  private async checkRecentLogs(
    outcome: ToolOutcome | undefined,
    habitId: string,
    day: string,
    count: unknown,
  ): Promise<void> {
    if (!outcome?.ok) return;
    const data = outcome.data as { from?: unknown; to?: unknown; items?: unknown; totals?: unknown };
    const items = itemsOf(data) ?? [];
    const other = items.find((i) => i.habitId !== habitId);
    if (other) {
      await this.fail(
        outcome,
        'habits',
        'habits.recent_logs',
        'contract',
        'filter.habit',
        {
          expected: 'check-ins of the one habit asked for',
          got: `a check-in of habit ${show(other.title)}`,
        },
        "I asked for one habit's check-ins and got others too.",
      );
      return;
    }
    const seenDays = new Set<string>();
    for (const i of items) {
      const key = `${String(i.habitId)}|${String(i.day)}`;
      if (seenDays.has(key)) {
        await this.fail(
          outcome,
          'habits',
          'habits.recent_logs',
          'wrong_result',
          'counts.one-per-day',
          { expected: 'one check-in per habit per day', got: `two on ${show(i.day)}` },
          'My habit shows two check-ins on one day.',
        );
        break;
      }
      seenDays.add(key);
    }
    const from = typeof data.from === 'string' ? data.from : null;
    const to = typeof data.to === 'string' ? data.to : null;
    const outside = items.find((i) => typeof i.day === 'string' && from !== null && i.day < from);
    if (outside) {
      await this.fail(
        outcome,
        'habits',
        'habits.recent_logs',
        'contract',
        'filter.days',
        {
          expected: `check-ins from ${from} on`,
          got: `a check-in on ${show(outside.day)}`,
        },
        'Recent check-ins included days outside the range I asked for.',
      );
    }
    if (from !== null && to !== null && day >= from && day <= to) {
      const mine = items.find((i) => i.day === day);
      if (!mine) {
        await this.fail(
          outcome,
          'habits',
          'habits.log',
          'lost_write',
          'read-your-writes.recent',
          {
            expected: `a check-in on ${day}`,
            got: 'none listed',
          },
          'I checked in today and my recent check-ins do not show it.',
        );
      } else if (mine.count !== count) {
        await this.fail(
          outcome,
          'habits',
          'habits.recent_logs',
          'wrong_result',
          'counts.check-in',
          {
            expected: `count ${show(count)} on ${day}`,
            got: `count ${show(mine.count)}`,
          },
          'My check-in count for today is off.',
        );
      }
    }
    const totals = Array.isArray(data.totals) ? (data.totals as Row[]) : [];
    const total = totals.find((t) => t.habitId === habitId);
    const sum = items.reduce((s, i) => s + (typeof i.count === 'number' ? i.count : 0), 0);
    if (items.length > 0 && (!total || total.checkIns !== sum || total.daysLogged !== items.length)) {
      await this.fail(
        outcome,
        'habits',
        'habits.recent_logs',
        'wrong_result',
        'counts.totals',
        {
          expected: `totals ${items.length} days, ${sum} check-ins (the items listed)`,
          got: total
            ? `totals ${show(total.daysLogged)} days, ${show(total.checkIns)} check-ins`
            : 'no totals for the habit',
        },
        'The totals of my recent check-ins do not add up.',
      );
    }
  }

  // ---------------------------------------------------------------- mood

  private async mood(): Promise<void> {
    const tool = this.tools.get('mood.log');
    if (!tool) return;
    const levelProp = propertyOf(tool.inputSchema, 'level');
    const min = typeof levelProp?.minimum === 'number' ? levelProp.minimum : 1;
    const max = typeof levelProp?.maximum === 'number' ? levelProp.maximum : 10;
    const emotions = enumOf(tool.inputSchema, 'emotion');
    const activities = enumOf(tool.inputSchema, 'activity');
    const step = this.rng.int(0, this.voice.moodNotes.length - 1);
    const share = this.voice.moodNotes.length > 1 ? step / (this.voice.moodNotes.length - 1) : 0.5;
    const level = Math.round(min + share * (max - min));
    const input: Row = {
      level,
      emotion: pickEmotion(emotions, share, this.rng),
      notes: this.voice.moodNotes[step],
    };
    if (activities.includes(this.voice.activity)) input.activity = this.voice.activity;
    if (this.confused && this.rng.chance(0.3)) {
      // a mood of 42 on a scale that stops much lower
      await this.refusal('mood.log', { ...input, level: 42 }, 'level');
      return;
    }
    const made = await this.call('mood.log', input);
    const row = this.checkWrite(made, 'mood', 'mood.log', 'entry', [
      { field: 'level', kind: 'exact', sent: level },
      { field: 'emotion', kind: 'exact', sent: input.emotion },
      { field: 'activity', kind: 'exact', sent: input.activity, ignored: null },
      { field: 'notes', kind: 'text', sent: input.notes, ignored: null },
    ]);
    if (!row) return;
    const limit = this.rng.pick([5, 10, 20]);
    const recent = await this.readList(
      'mood.recent',
      'mood',
      { days: 7, limit },
      {
        limit,
        order: { key: 'loggedAt', direction: 'desc' },
      },
    );
    if (!recent) return;
    // "the last 7 days" by the server's own clock, which stamped my entry just now (an hour's slack)
    const since = Date.parse(String(row.loggedAt)) - 7 * 86_400_000 - 3_600_000;
    const old = recent.items.find((e) => typeof e.loggedAt === 'string' && Date.parse(e.loggedAt) < since);
    if (old) {
      await this.fail(
        recent.outcome,
        'mood',
        'mood.recent',
        'contract',
        'filter.days',
        {
          expected: 'check-ins of the last 7 days',
          got: `one logged ${show(old.loggedAt)}`,
        },
        'Recent moods included check-ins older than I asked for.',
      );
    }
    const avg = averageMismatch(
      recent.items.map((e) => (typeof e.level === 'number' ? e.level : Number.NaN)),
      (recent.outcome.data as { averageLevel?: unknown }).averageLevel,
    );
    if (avg) {
      await this.fail(
        recent.outcome,
        'mood',
        'mood.recent',
        'wrong_result',
        'counts.average',
        avg,
        'The average mood does not match my check-ins.',
      );
    }
    const mine = recent.items.find((e) => e.id === row.id);
    if (!mine) {
      const second = await this.call('mood.recent', { days: 1, limit: 100 });
      const there = itemsOf(second?.data)?.some((e) => e.id === row.id) ?? false;
      if (there) {
        await this.fail(
          recent.outcome,
          'mood',
          'mood.recent',
          'wrong_result',
          'read-your-writes.list',
          {
            expected: 'my mood check-in of just now listed first',
            got: 'missing (another listing shows it)',
          },
          'The check-in I just logged was missing from my recent moods.',
        );
      } else if (second?.ok) {
        await this.fail(
          second,
          'mood',
          'mood.log',
          'lost_write',
          'read-your-writes.list',
          {
            expected: 'my mood check-in stored',
            got: 'no listing shows it',
          },
          'I logged my mood and it is not there.',
        );
      }
    } else {
      this.compareReadBack(recent.outcome, 'mood', 'mood.recent', mine, row, [
        'level',
        'emotion',
        'notes',
        'loggedAt',
      ]);
    }
  }

  // ---------------------------------------------------------------- calendar

  private async calendar(spaceId?: string): Promise<void> {
    // afterwards it looks at the week ahead, at that day, or at the days before it (where the new
    // event must not show); for the last, the event is at least two days out
    const variant = this.rng.int(0, 3);
    const ahead = variant >= 2 ? this.rng.int(2, 5) : this.rng.int(spaceId ? 1 : 0, 5);
    const day = addDays(this.context.today.date, ahead);
    const hour = this.rng.int(8, 18);
    const startsAt = localIso(day, hour, this.context.persona.timezone);
    const endsAt = localIso(day, hour + 1, this.context.persona.timezone);
    const title = this.rng.pick(this.voice.events);
    if (!spaceId && this.confused && this.rng.chance(0.3)) {
      await this.refusal('calendar.create_event', { title, startsAt: endsAt, endsAt: startsAt }, 'endsAt');
      return;
    }
    const input: Row = { title, startsAt, endsAt };
    if (this.rng.chance(0.3))
      input.location = this.rng.pick(['Office', 'Home', 'Café on the corner', 'Zoom']);
    const made = await this.call('calendar.create_event', input, { spaceId });
    const row = this.checkWrite(made, 'calendar', 'calendar.create_event', 'event', [
      { field: 'title', kind: 'text', sent: title },
      { field: 'startsAt', kind: 'instant', sent: startsAt },
      { field: 'endsAt', kind: 'instant', sent: endsAt },
      { field: 'location', kind: 'text', sent: input.location, ignored: null },
      { field: 'allDay', kind: 'exact', sent: false },
    ]);
    if (!row) return;
    const today = this.context.today.date;
    const before = variant >= 2;
    const from = before || variant === 0 ? today : day;
    const to = before ? addDays(day, -1) : from === day && variant === 1 ? addDays(day, 1) : addDays(from, 7);
    const listed = await this.readList(
      'calendar.list_events',
      'calendar',
      { from, to },
      {
        order: { key: 'startsAt', direction: 'asc' },
        spaceId,
      },
    );
    if (!listed) return;
    await this.checkRange(listed, from, to);
    const fromMs = Date.parse(`${from}T00:00:00Z`);
    const toMs = Date.parse(`${to}T00:00:00Z`);
    const overlaps = Date.parse(endsAt) > fromMs && Date.parse(startsAt) < toMs;
    const mine = listed.items.find((e) => e.id === row.id);
    if (!mine && overlaps && (listed.outcome.data as { truncated?: unknown }).truncated !== true) {
      const second = await this.call(
        'calendar.list_events',
        { from: addDays(day, -1), to: addDays(day, 2) },
        { spaceId },
      );
      const there = itemsOf(second?.data)?.some((e) => e.id === row.id) ?? false;
      if (there) {
        await this.fail(
          listed.outcome,
          'calendar',
          'calendar.list_events',
          'wrong_result',
          'read-your-writes.list',
          {
            expected: `event "${title}" at ${startsAt} listed`,
            got: 'missing (a wider range shows it)',
          },
          `My event "${title}" was missing from my calendar.`,
        );
      } else if (second?.ok) {
        await this.fail(
          second,
          'calendar',
          'calendar.create_event',
          'lost_write',
          'read-your-writes.list',
          {
            expected: `event "${title}" at ${startsAt} stored`,
            got: 'not in the calendar',
          },
          `I added "${title}" and it never showed up in my calendar.`,
        );
      }
    } else if (mine) {
      for (const field of ['startsAt', 'endsAt']) {
        if (!sameInstant(mine[field], row[field])) {
          await this.fail(
            listed.outcome,
            'calendar',
            'calendar.list_events',
            'wrong_result',
            `read-back.${field}`,
            {
              expected: `${field} ${show(row[field])}`,
              got: `${field} ${show(mine[field])}`,
            },
            `My event "${title}" shows a different time in the calendar than when I made it.`,
          );
        }
      }
      this.compareReadBack(listed.outcome, 'calendar', 'calendar.list_events', mine, row, [
        'title',
        'location',
      ]);
    }
    if (!before && ahead >= 2 && this.rng.chance(0.8)) {
      // and what comes before it: the new event must not be in that range
      const earlier = await this.readList(
        'calendar.list_events',
        'calendar',
        { from: today, to: addDays(day, -1) },
        { order: { key: 'startsAt', direction: 'asc' }, spaceId },
      );
      if (earlier) await this.checkRange(earlier, today, addDays(day, -1));
    }
  }

  /** Every event listed overlaps the range asked for (lenient at the edges: ends at `from` counts). */
  private async checkRange(
    listed: { outcome: ToolOutcome; items: Row[] },
    from: string,
    to: string,
  ): Promise<void> {
    const fromMs = Date.parse(`${from}T00:00:00Z`);
    const toMs = Date.parse(`${to}T00:00:00Z`);
    const outside = listed.items.find(
      (e) =>
        typeof e.startsAt === 'string' &&
        typeof e.endsAt === 'string' &&
        (Date.parse(e.startsAt) >= toMs || Date.parse(e.endsAt) < fromMs),
    );
    if (!outside) return;
    await this.fail(
      listed.outcome,
      'calendar',
      'calendar.list_events',
      'contract',
      'filter.range',
      {
        expected: `events overlapping [${from}, ${to})`,
        got: `an event ${show(outside.startsAt)}–${show(outside.endsAt)}`,
      },
      'My calendar listed events outside the dates I asked for.',
    );
  }

  // ---------------------------------------------------------------- contacts

  private async contacts(): Promise<void> {
    const contact = this.rng.pick(this.voice.contacts);
    const [first] = contact.name.split(' ');
    const input: Row = { name: contact.name, notes: contact.about };
    const handle = first.toLowerCase().replace(/[^a-z]/g, '');
    if (handle.length >= 2 && this.rng.chance(0.5)) input.email = `${handle}@example.com`;
    if (this.rng.chance(0.3)) input.phone = `+1 555 01${this.rng.int(10, 99)}`;
    const made = await this.call('contacts.create', input);
    const row = this.checkWrite(made, 'contacts', 'contacts.create', 'contact', [
      { field: 'name', kind: 'text', sent: input.name },
      { field: 'notes', kind: 'text', sent: input.notes, ignored: null },
      { field: 'email', kind: 'email', sent: input.email, ignored: null },
      { field: 'phone', kind: 'exact', sent: input.phone, ignored: null },
    ]);
    if (!row) return;
    const query = this.rng.chance(0.5) ? first.toLowerCase() : first.toUpperCase();
    const found = await this.search(
      'contacts.search',
      'contacts',
      { query, limit: 10 },
      ['name', 'email', 'phone', 'notes'],
      10,
    );
    if (found && !found.items.some((c) => c.id === row.id)) {
      const second = await this.call('contacts.search', { query: contact.name, limit: 50 });
      const there = itemsOf(second?.data)?.some((c) => c.id === row.id) ?? false;
      if (there) {
        await this.fail(
          found.outcome,
          'contacts',
          'contacts.search',
          'wrong_result',
          'search.finds-my-write',
          {
            expected: `contact "${contact.name}" found by "${query}"`,
            got: 'not found (searching the full name finds it)',
          },
          `Searching "${query}" did not find ${contact.name}, whom I had just added.`,
        );
      } else if (second?.ok) {
        await this.fail(
          second,
          'contacts',
          'contacts.create',
          'lost_write',
          'read-your-writes.search',
          {
            expected: `contact "${contact.name}" stored`,
            got: 'no search finds it',
          },
          `I added ${contact.name} and the contact is gone.`,
        );
      }
    } else if (found) {
      const mine = found.items.find((c) => c.id === row.id);
      if (mine)
        this.compareReadBack(found.outcome, 'contacts', 'contacts.search', mine, row, [
          'name',
          'email',
          'phone',
          'notes',
        ]);
    }
  }

  // ---------------------------------------------------------------- shared spaces

  /**
   * Looks at its spaces and, when it shares one (family, team, ...), does something there for the
   * others: a task on the shared list, or an event in a family calendar. Others write there too, so
   * the checks are only about its own rows.
   */
  private async sharedSpaces(): Promise<void> {
    const list = await this.call('spaces.list', {});
    const shared = (itemsOf(list?.data) ?? []).filter(
      (s): s is { id: string; name: string; type: string } =>
        typeof s.id === 'string' && typeof s.name === 'string' && s.type !== 'personal',
    );
    if (shared.length === 0) return;
    const space = this.rng.pick(shared);
    if (space.type === 'family' && this.tools.has('calendar.create_event') && this.rng.chance(0.5)) {
      return this.calendar(space.id);
    }
    const title = `${this.rng.pick(this.voice.todos)} (for ${space.name})`;
    const input: Row = {
      title,
      priority: this.rng.pick(this.voice.priorities),
      dueDate: addDays(this.context.today.date, this.rng.int(1, 7)),
    };
    const made = await this.call('todo.create', input, { spaceId: space.id });
    const task = this.checkWrite(made, 'todo', 'todo.create', 'task', [
      { field: 'title', kind: 'text', sent: title },
      { field: 'priority', kind: 'exact', sent: input.priority, ignored: 'medium' },
      { field: 'dueDate', kind: 'exact', sent: input.dueDate, ignored: null },
    ]);
    if (!task || this.budget <= 0) return;
    const listed = await this.call(
      'todo.list',
      { status: 'all', order: 'newest', limit: 100 },
      { spaceId: space.id },
    );
    const items = itemsOf(listed?.data);
    if (listed?.ok && items && items.length < 100 && !items.some((t) => t.id === task.id)) {
      await this.missing(listed, 'todo', 'todo.list', 'todo.create', title, () =>
        this.call('todo.update', { id: task.id, title }, { spaceId: space.id, probe: true }),
      );
    }
  }

  // ---------------------------------------------------------------- the oracles

  /**
   * A write answered: the row is there and every field I sent reads back as I sent it. Answers the
   * row (to check later reads against), or null when the call failed or the row is not usable.
   */
  private checkWrite(
    outcome: ToolOutcome | undefined,
    module: string,
    tool: string,
    key: string,
    expectations: FieldExpectation[],
  ): Row | null {
    if (!outcome?.ok) return null;
    const row = rowOf(outcome.data, key);
    if (!row || !isUuid(row.id)) {
      this.pending.push(this.shapeFinding(outcome, module, tool, key));
      return null;
    }
    for (const m of fieldMismatches(row, expectations)) {
      const say =
        m.class === 'contract'
          ? `${tool} ignored the ${m.field} I gave (${m.expected}, ${m.got}).`
          : `${tool} answered ${m.got} when I sent ${m.expected}.`;
      this.pending.push(this.fail(outcome, module, tool, m.class, `write.echo.${m.field}`, m, say));
    }
    return row;
  }

  /** A later read shows a row as the write answered it (the fields named). */
  private compareReadBack(
    outcome: ToolOutcome,
    module: string,
    tool: string,
    read: Row,
    written: Row,
    fields: string[],
  ): void {
    for (const field of fields) {
      const a = written[field];
      const b = read[field];
      const same =
        typeof a === 'string' && typeof b === 'string' && !Number.isNaN(Date.parse(a)) && /T\d\d:/.test(a)
          ? sameInstant(a, b)
          : JSON.stringify(a ?? null) === JSON.stringify(b ?? null);
      if (same) continue;
      this.pending.push(
        this.fail(
          outcome,
          module,
          tool,
          'wrong_result',
          `read-back.${field}`,
          {
            expected: `${field} ${show(a)}`,
            got: `${field} ${show(b)}`,
          },
          `${tool} shows ${field} ${show(b)} for what I saved as ${show(a)}.`,
        ),
      );
    }
  }

  /** After an update that answered right, a later read still shows the old values: the write was lost. */
  private async lostUpdate(
    outcome: ToolOutcome,
    module: string,
    tool: string,
    read: Row,
    patch: Row,
    fields: string[],
    answered: Row,
  ): Promise<void> {
    const matches = (field: string, row: Row): boolean =>
      typeof patch[field] === 'string' && typeof row[field] === 'string'
        ? (row[field] as string).trim() === (patch[field] as string).trim()
        : JSON.stringify(patch[field]) === JSON.stringify(row[field] ?? null);
    for (const field of fields) {
      // a field the update's own answer already got wrong is reported once, as that wrong answer
      if (patch[field] === undefined || !matches(field, answered)) continue;
      const same =
        typeof patch[field] === 'string' && typeof read[field] === 'string'
          ? (read[field] as string).trim() === (patch[field] as string).trim()
          : JSON.stringify(patch[field]) === JSON.stringify(read[field] ?? null);
      if (same) continue;
      await this.fail(
        outcome,
        module,
        tool,
        'lost_write',
        `read-your-writes.${field}`,
        {
          expected: `${field} ${show(patch[field])}`,
          got: `${field} ${show(read[field])}`,
        },
        `I changed ${field} to ${show(patch[field])} and later it read ${show(read[field])}.`,
      );
    }
  }

  /**
   * My row is missing from a read. A call by its id tells which is wrong: the read (the row is there)
   * or the write (it never landed).
   */
  private async missing(
    readOutcome: ToolOutcome,
    module: string,
    readTool: string,
    writeTool: string,
    what: string,
    probe: () => Promise<ToolOutcome | undefined>,
  ): Promise<void> {
    const byId = await probe();
    if (!byId) return; // no turn left for the second look: no verdict
    if (byId.ok) {
      await this.fail(
        readOutcome,
        module,
        readTool,
        'wrong_result',
        'read-your-writes.list',
        {
          expected: `"${what}" listed`,
          got: 'missing (it exists: a call by its id works)',
        },
        `I added "${what}" and ${readTool} didn't show it.`,
      );
    } else if (byId.errorKind === 'tool') {
      await this.fail(
        byId,
        module,
        writeTool,
        'lost_write',
        'read-your-writes.exists',
        {
          expected: `"${what}" stored`,
          got: `gone: ${byId.text.slice(0, 100)}`,
        },
        `I added "${what}", it said it was saved, and then it was gone.`,
      );
    }
  }

  /** A list call with its generic promises: count, no duplicates, limit, order. */
  private async readList(
    tool: string,
    module: string,
    input: Row,
    promise: {
      limit?: number;
      order?: { key: string; direction: 'asc' | 'desc'; nullsLast?: boolean };
      spaceId?: string;
    },
  ): Promise<{ outcome: ToolOutcome; items: Row[] } | null> {
    const outcome = await this.call(tool, input, { spaceId: promise.spaceId });
    if (!outcome?.ok) return null;
    const items = itemsOf(outcome.data);
    if (!items) {
      await this.shapeFinding(outcome, module, tool, 'items');
      return null;
    }
    const checks: Array<[FindingClass, string, Mismatch | null, string]> = [
      [
        'wrong_result',
        'counts.count-field',
        countMismatch(outcome.data),
        `${tool} says a different count than it lists.`,
      ],
      ['wrong_result', 'list.no-duplicates', duplicateIds(items), `${tool} listed the same thing twice.`],
      [
        'contract',
        'limit.honoured',
        promise.limit ? limitExceeded(items, promise.limit) : null,
        `I asked ${tool} for at most ${promise.limit} and got more.`,
      ],
      [
        'wrong_result',
        'order.as-described',
        promise.order
          ? orderViolation(items, promise.order.key, promise.order.direction, promise.order)
          : null,
        `${tool} is not in the order it promises.`,
      ],
    ];
    for (const [cls, check, mismatch, say] of checks) {
      if (mismatch) await this.fail(outcome, module, tool, cls, check, mismatch, say);
    }
    return { outcome, items };
  }

  /** A search call: its list promises, and every hit contains the query. */
  private async search(
    tool: string,
    module: string,
    input: Row,
    fields: string[],
    limit: number,
  ): Promise<{ outcome: ToolOutcome; items: Row[] } | null> {
    const listed = await this.readList(tool, module, input, {
      limit,
      order: { key: 'createdAt', direction: 'desc' },
    });
    if (!listed) return null;
    const miss = searchMiss(listed.items, String(input.query), fields);
    if (miss) {
      await this.fail(
        listed.outcome,
        module,
        tool,
        'wrong_result',
        'search.matches-query',
        miss,
        `Searching "${input.query}" found things that do not contain it.`,
      );
    }
    return listed;
  }

  /**
   * The newbie's invalid input: it must be refused, and the refusal must name the field. The failure
   * is the persona's own mistake; accepting it, or a message that does not say what was wrong, is the app's.
   */
  private async refusal(tool: string, input: Row, field: string): Promise<void> {
    const module = tool.split('.')[0];
    const outcome = await this.mistake(tool, input);
    if (!outcome) return;
    if (outcome.ok) {
      await this.fail(
        outcome,
        module,
        tool,
        'contract',
        'validation.refuses-invalid',
        {
          expected: `an error naming ${field} (${show(input[field])} is not allowed)`,
          got: 'accepted',
        },
        `${tool} accepted ${field} ${show(input[field])}, which it should not.`,
      );
    } else if (outcome.errorKind === 'tool' && !namesField(outcome.text, field)) {
      await this.fail(
        outcome,
        module,
        tool,
        'confusing',
        'error.names-field',
        {
          expected: `an error that names ${field}`,
          got: outcome.text.slice(0, 120),
        },
        `When I got ${field} wrong, ${tool} did not say what was wrong.`,
      );
    }
  }

  /** Calls a tool with input the persona knows is wrong (its mistakes are not the app's). */
  private mistake(tool: string, input: Row): Promise<ToolOutcome | undefined> {
    return this.call(tool, input, { expectError: true });
  }

  private shapeFinding(outcome: ToolOutcome, module: string, tool: string, key: string): Promise<void> {
    return this.fail(
      outcome,
      module,
      tool,
      'contract',
      'answer.shape',
      {
        expected: `an answer with ${key}`,
        got: show(outcome.data).slice(0, 120),
      },
      `${tool} answered something I could not make sense of.`,
    );
  }

  /** Findings reported from synchronous checks, awaited before the next call. */
  private pending: Array<Promise<void>> = [];

  /** Records a finding (before it resolves) and remembers it for the module's rating. */
  private async fail(
    outcome: ToolOutcome,
    module: string,
    tool: string,
    cls: FindingClass,
    check: string,
    mismatch: Mismatch,
    say: string,
  ): Promise<void> {
    const e = this.experienceOf(module);
    e.findings.push({ class: cls, say });
    await this.context.reportFinding({
      seq: outcome.seq,
      module,
      tool,
      class: cls,
      check,
      expected: mismatch.expected,
      got: mismatch.got,
      source: 'oracle',
    });
  }

  private experienceOf(module: string): ModuleExperience {
    let e = this.experience.get(module);
    if (!e) {
      e = { calls: 0, errors: 0, totalLatencyMs: 0, findings: [] };
      this.experience.set(module, e);
    }
    return e;
  }

  private otherThan(values: string[], current: unknown): string {
    const others = values.filter((v) => v !== current);
    return this.rng.pick(others.length > 0 ? others : values);
  }

  /**
   * Calls a tool if it exists and the turn budget allows. `spaceId` acts in a shared space instead of
   * the personal one; `expectError` marks the persona's own deliberate mistakes.
   */
  private async call(
    name: string,
    input: Row,
    options: { spaceId?: string; expectError?: boolean; probe?: boolean } = {},
  ): Promise<ToolOutcome | undefined> {
    await this.flush();
    const tool = this.tools.get(name);
    if (!tool || this.budget <= 0) return undefined;
    this.budget -= 1;
    const clean = Object.fromEntries(Object.entries(input).filter(([, v]) => v !== undefined));
    const callOptions: { spaceId?: string; expectError?: boolean; probe?: boolean } = {};
    if (options.spaceId) callOptions.spaceId = options.spaceId;
    if (options.expectError) callOptions.expectError = true;
    if (options.probe) callOptions.probe = true;
    const outcome = await this.context.callTool(
      name,
      clean,
      Object.keys(callOptions).length > 0 ? callOptions : undefined,
    );
    const e = this.experienceOf(tool.module);
    e.calls += 1;
    e.totalLatencyMs += outcome.latencyMs;
    if (!outcome.ok && !options.expectError) {
      e.errors += 1;
      e.firstError ??= { tool: name, message: outcome.text };
    }
    return outcome;
  }

  private async flush(): Promise<void> {
    while (this.pending.length > 0) await this.pending.shift();
  }
}

/** A common word with the word after it, exactly as written (`the exam`, `for the`): a phrase people search. */
function commonPhraseOf(content: string): string | null {
  return /\b(?:the|my|for|and)\s[A-Za-z]{4,}/i.exec(content)?.[0] ?? null;
}

/** The note's topic with the word after it, exactly as written (`exam counts`, `exam: sources`). */
function phraseOf(content: string, topic: string): string | null {
  const escaped = topic.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  return new RegExp(`${escaped}\\W{1,2}[A-Za-z]{3,}`, 'i').exec(content)?.[0] ?? null;
}

/** A word of the text worth searching for: the longest of its plain words. */
function searchableWord(text: string, rng: SeededRandom): string {
  const words = [...new Set(text.match(/[A-Za-z]{5,}/g) ?? [])];
  if (words.length === 0) return text.trim().split(/\s+/)[0] ?? text;
  const longest = [...words].sort((a, b) => b.length - a.length || a.localeCompare(b)).slice(0, 3);
  return rng.pick(longest);
}

function propertyOf(schema: Record<string, unknown>, key: string): Record<string, unknown> | undefined {
  const props = schema.properties as Record<string, Record<string, unknown>> | undefined;
  return props?.[key];
}

function enumOf(schema: Record<string, unknown>, key: string): string[] {
  const values = propertyOf(schema, key)?.enum;
  return Array.isArray(values) ? values.filter((v): v is string => typeof v === 'string') : [];
}

const LOW_EMOTIONS = ['stressed', 'anxious', 'overwhelmed', 'tired', 'frustrated', 'sad'];
const HIGH_EMOTIONS = ['happy', 'proud', 'excited', 'grateful', 'calm', 'content'];

/** An emotion the tool offers that fits the level (low, middling or high). */
function pickEmotion(offered: string[], share: number, rng: SeededRandom): string {
  const wanted =
    share < 0.34 ? LOW_EMOTIONS : share < 0.67 ? ['neutral', 'calm', 'content', 'tired'] : HIGH_EMOTIONS;
  const fits = offered.filter((e) => wanted.includes(e));
  return rng.pick(fits.length > 0 ? fits : offered.length > 0 ? offered : ['neutral']);
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
