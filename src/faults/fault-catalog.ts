import {
  DAY_MS,
  HOUR_MS,
  UPDATE_FIELDS_IN_ORDER,
  instant,
  without,
  withCount,
  withoutNewest,
} from './fault-rewrites.js';
import { MAX_DELAY_MS } from '../config/fault-spec.js';

/**
 * The catalog of plantable defects: pure data, pure checks and pure effects. FaultsService plants
 * them, the lab's FaultInterceptor applies them at the two seams (around the tool executor's
 * handler call, and on the space data repository's writes), and main.ts checks `FAULTS` against it
 * at boot (`bootFaultProblems`). The app modules know nothing of it: a new defect is one entry here.
 *
 * A defect only changes what the caller's own active space sees or stores: it never reaches another
 * space, skips a membership check, or touches auth, audit, encryption or isolation. Its effect sees
 * the tool's input after the input schema accepted it and the answer before the output schema checks
 * it, so a defect cannot slip past either.
 */

export const FAULT_CLASSES = ['error', 'slow', 'wrong_result', 'lost_write', 'contract'] as const;
export type FaultClass = (typeof FAULT_CLASSES)[number];

export interface FaultParameter {
  default: number;
  min: number;
  max: number;
  description: string;
}

/** A tool's input as its schema parsed it (defaults filled in). */
export type FaultInput = Readonly<Record<string, unknown>>;

/**
 * What a defect does to a call of its tool. Applied by FaultInterceptor in this order: `error` and
 * `delay` before the tool runs; `input` rewrites (in catalog order) on what the tool reads; `answer`
 * rewrites around the tool (the first in catalog order outermost); `lost_write` innermost.
 * Rewrites are pure functions of the values they get and never mutate them. An entry may type the
 * fields it reads (`(input: { limit: number }) => …`): the tool's schemas have checked them.
 */
export type FaultEffect =
  /** The call fails with an UNAVAILABLE error result; the tool does not run, so nothing is stored. */
  | { kind: 'error' }
  /** The call waits out `delayMs` first (varied by ±50 % when the parameter is jittered). */
  | { kind: 'delay' }
  /** The tool runs on a changed input: what it stores and answers follow from it. */
  | { kind: 'input'; rewrite(input: FaultInput): FaultInput }
  /**
   * The tool's answer is changed. `widen` (optional) changes the input the tool gets, e.g. to list
   * one more row; `rewrite` gets the answer and the input as it was before `widen`.
   */
  | {
      kind: 'answer';
      widen?(input: FaultInput): FaultInput;
      rewrite(answer: unknown, input: FaultInput): unknown;
    }
  /** Every space-data write of the call is answered as stored but not stored (rolled back). */
  | { kind: 'lost_write' };

export interface FaultDefect {
  /** `<tool>.<what goes wrong>`, e.g. `todo.list.drops-newest`. */
  id: string;
  class: FaultClass;
  /** The app module (the tool's `module`). */
  module: string;
  /** The tool whose answer changes. */
  tool: string;
  description: string;
  /**
   * What a plant may set. Every defect takes `probability` (the share of calls it applies to);
   * slow defects also take `delayMs` (jittered ones vary it by ±50 %).
   */
  parameters: {
    probability: FaultParameter;
    delayMs?: FaultParameter & { jitter: boolean };
  };
  effect: FaultEffect;
}

export const DEFAULT_DELAY_MS = 3000;

const probability = (value = 1): FaultParameter => ({
  default: value,
  min: 0,
  max: 1,
  description: 'share of calls the defect applies to (1: every call)',
});

const delayMs = (jitter: boolean): FaultParameter & { jitter: boolean } => ({
  default: DEFAULT_DELAY_MS,
  min: 0,
  max: MAX_DELAY_MS,
  jitter,
  description: jitter
    ? 'added delay in ms, varied uniformly by ±50 % per call'
    : 'added delay in ms, the same on every call',
});

export const FAULT_CATALOG = [
  // ---- todo
  {
    id: 'todo.create.error',
    class: 'error',
    module: 'todo',
    tool: 'todo.create',
    description: 'todo.create fails with an "unavailable" error result and stores nothing.',
    parameters: { probability: probability() },
    effect: { kind: 'error' },
  },
  {
    id: 'todo.list.slow',
    class: 'slow',
    module: 'todo',
    tool: 'todo.list',
    description: 'todo.list answers after a fixed added delay (default 3000 ms).',
    parameters: { probability: probability(), delayMs: delayMs(false) },
    effect: { kind: 'delay' },
  },
  {
    id: 'todo.list.drops-newest',
    class: 'wrong_result',
    module: 'todo',
    tool: 'todo.list',
    description: 'todo.list leaves out the most recently created task of the listed ones.',
    parameters: { probability: probability() },
    effect: {
      kind: 'answer',
      // one more is listed, so the answer still holds `limit` tasks when there are enough
      widen: (input: { limit: number }) => ({ ...input, limit: input.limit + 1 }),
      rewrite: (answer: { items: Array<{ createdAt: string }> }) =>
        withCount(answer, withoutNewest(answer.items)),
    },
  },
  {
    id: 'todo.complete.stays-open',
    class: 'wrong_result',
    module: 'todo',
    tool: 'todo.complete',
    description: 'todo.complete completes the task but answers it still open (status open, no completedAt).',
    parameters: { probability: probability() },
    effect: {
      kind: 'answer',
      rewrite: (answer: { task: object }) => ({
        ...answer,
        task: { ...answer.task, status: 'open', completedAt: null },
      }),
    },
  },
  {
    id: 'todo.update.drops-field',
    class: 'wrong_result',
    module: 'todo',
    tool: 'todo.update',
    description:
      'todo.update leaves out the last field given (in the order title, description, priority, dueDate, subtasks, status): it is neither stored nor answered changed.',
    parameters: { probability: probability() },
    effect: {
      kind: 'input',
      rewrite: (input: FaultInput) =>
        without(input, UPDATE_FIELDS_IN_ORDER.filter((f) => input[f] !== undefined).at(-1)),
    },
  },
  {
    id: 'todo.update.not-saved',
    class: 'lost_write',
    module: 'todo',
    tool: 'todo.update',
    description:
      'todo.update answers the task as changed but stores nothing; a later read shows the old values.',
    parameters: { probability: probability() },
    effect: { kind: 'lost_write' },
  },
  {
    id: 'todo.list.ignores-limit',
    class: 'contract',
    module: 'todo',
    tool: 'todo.list',
    description: 'todo.list ignores `limit` and answers up to 100 tasks.',
    parameters: { probability: probability() },
    // listTasksInput's upper bound
    effect: { kind: 'input', rewrite: (input: FaultInput) => ({ ...input, limit: 100 }) },
  },
  {
    id: 'todo.create.ignores-due-date',
    class: 'contract',
    module: 'todo',
    tool: 'todo.create',
    description: 'todo.create ignores `dueDate`: the task is stored and answered without one.',
    parameters: { probability: probability() },
    effect: { kind: 'input', rewrite: (input: FaultInput) => without(input, 'dueDate') },
  },
  // ---- notes
  {
    id: 'notes.search.case-sensitive',
    class: 'wrong_result',
    module: 'notes',
    tool: 'notes.search',
    description: 'notes.search matches case-sensitively although it promises case-insensitive matching.',
    parameters: { probability: probability() },
    effect: {
      kind: 'answer',
      // every case-insensitive match comes back, the exact-case ones are kept, then `limit` applies
      widen: (input: FaultInput) => ({ ...input, limit: Number.MAX_SAFE_INTEGER }),
      rewrite: (
        answer: { items: Array<{ title: string | null; content: string | null }> },
        input: { query: string; limit: number },
      ) => {
        const query = input.query.trim();
        const has = (text: string | null) => text !== null && text.includes(query);
        return withCount(
          answer,
          answer.items.filter((n) => has(n.title) || has(n.content)).slice(0, input.limit),
        );
      },
    },
  },
  {
    id: 'notes.search.ignores-last-word',
    class: 'wrong_result',
    module: 'notes',
    tool: 'notes.search',
    description:
      'notes.search drops the last word of a query of two or more words, so notes that lack it match too.',
    parameters: { probability: probability() },
    effect: {
      kind: 'input',
      // "buy oat milk" is searched as "buy oat"; a one-word query stays as it is
      rewrite: (input: { query: string }) => {
        const words = input.query.trim().split(/\s+/);
        return words.length > 1 ? { ...input, query: words.slice(0, -1).join(' ') } : input;
      },
    },
  },
  {
    id: 'notes.create.not-persisted',
    class: 'lost_write',
    module: 'notes',
    tool: 'notes.create',
    description: 'notes.create answers the note as created but never stores it; search never finds it.',
    parameters: { probability: probability() },
    effect: { kind: 'lost_write' },
  },
  // ---- habits
  {
    id: 'habits.log.counts-twice',
    class: 'wrong_result',
    module: 'habits',
    tool: 'habits.log',
    description: 'habits.log stores (and answers) twice the count given, at most 100.',
    parameters: { probability: probability() },
    effect: {
      kind: 'input',
      rewrite: (input: { count: number }) => ({ ...input, count: Math.min(input.count * 2, 100) }),
    },
  },
  {
    id: 'habits.archive.not-saved',
    class: 'lost_write',
    module: 'habits',
    tool: 'habits.archive',
    description: 'habits.archive answers the habit as archived (or restored) but stores nothing.',
    parameters: { probability: probability() },
    effect: { kind: 'lost_write' },
  },
  // ---- journal
  {
    id: 'journal.add.error',
    class: 'error',
    module: 'journal',
    tool: 'journal.add',
    description:
      'journal.add fails intermittently (by default half the calls, at random) and stores nothing then.',
    parameters: { probability: probability(0.5) },
    effect: { kind: 'error' },
  },
  {
    id: 'journal.list.ignores-limit',
    class: 'contract',
    module: 'journal',
    tool: 'journal.list',
    description: 'journal.list ignores `limit` and answers up to 50 entries.',
    parameters: { probability: probability() },
    // listJournalInput's upper bound
    effect: { kind: 'input', rewrite: (input: FaultInput) => ({ ...input, limit: 50 }) },
  },
  // ---- mood
  {
    id: 'mood.log.scale-inverted',
    class: 'wrong_result',
    module: 'mood',
    tool: 'mood.log',
    description: 'mood.log inverts the 1–10 scale: level L is stored and answered as 11 − L.',
    parameters: { probability: probability() },
    // 1 is stored as 10, 10 as 1
    effect: { kind: 'input', rewrite: (input: { level: number }) => ({ ...input, level: 11 - input.level }) },
  },
  {
    id: 'mood.recent.slow',
    class: 'slow',
    module: 'mood',
    tool: 'mood.recent',
    description: 'mood.recent answers after a jittered added delay (default 3000 ms ± 50 %).',
    parameters: { probability: probability(), delayMs: delayMs(true) },
    effect: { kind: 'delay' },
  },
  // ---- calendar
  {
    id: 'calendar.create_event.hour-off',
    class: 'wrong_result',
    module: 'calendar',
    tool: 'calendar.create_event',
    description: 'calendar.create_event stores (and answers) the event an hour later than given.',
    parameters: { probability: probability() },
    effect: {
      kind: 'input',
      rewrite: (input: { startsAt: string; endsAt: string }) => ({
        ...input,
        startsAt: new Date(Date.parse(input.startsAt) + HOUR_MS).toISOString(),
        endsAt: new Date(Date.parse(input.endsAt) + HOUR_MS).toISOString(),
      }),
    },
  },
  {
    id: 'calendar.list_events.ignores-to',
    class: 'contract',
    module: 'calendar',
    tool: 'calendar.list_events',
    description: 'calendar.list_events ignores the `to` bound and lists events up to 366 days after `from`.',
    parameters: { probability: probability() },
    // listEventsInput's longest range
    effect: {
      kind: 'input',
      rewrite: (input: { from: string }) => ({
        ...input,
        to: new Date(instant(input.from) + 366 * DAY_MS).toISOString(),
      }),
    },
  },
  {
    id: 'calendar.list_events.slow',
    class: 'slow',
    module: 'calendar',
    tool: 'calendar.list_events',
    description: 'calendar.list_events answers after a jittered added delay (default 3000 ms ± 50 %).',
    parameters: { probability: probability(), delayMs: delayMs(true) },
    effect: { kind: 'delay' },
  },
  // ---- contacts
  {
    id: 'contacts.create.not-persisted',
    class: 'lost_write',
    module: 'contacts',
    tool: 'contacts.create',
    description: 'contacts.create answers the contact as created but never stores it.',
    parameters: { probability: probability() },
    effect: { kind: 'lost_write' },
  },
  {
    id: 'contacts.search.error',
    class: 'error',
    module: 'contacts',
    tool: 'contacts.search',
    description: 'contacts.search fails with an "unavailable" error result.',
    parameters: { probability: probability() },
    effect: { kind: 'error' },
  },
] as const satisfies readonly FaultDefect[];

/** A catalog id, checked by the compiler where code names a defect (tests, the bench). */
export type DefectId = (typeof FAULT_CATALOG)[number]['id'];

const BY_ID = new Map<string, FaultDefect>(FAULT_CATALOG.map((d) => [d.id, d]));

export function findDefect(id: string): FaultDefect | undefined {
  return BY_ID.get(id);
}
