/**
 * The catalog of plantable defects. Pure data and pure checks, no imports: the config reads it to
 * validate `FAULTS` at boot, FaultsService to plant, and the app modules name defects by `id`.
 *
 * Every defect is a real code path in its module's service (search the module for the id). A
 * defect only changes what the caller's own active space sees or stores: it never reaches another
 * space, skips a membership check, or touches auth, audit, encryption or isolation.
 */

export const FAULT_CLASSES = ['error', 'slow', 'wrong_result', 'lost_write', 'contract'] as const;
export type FaultClass = (typeof FAULT_CLASSES)[number];

export interface FaultParameter {
  default: number;
  min: number;
  max: number;
  description: string;
}

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
}

/** Bounds of the plantable parameters (the API, FAULTS and the table's CHECKs agree on them). */
export const MAX_DELAY_MS = 60_000;
export const MAX_NOTE_LENGTH = 500;
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
  },
  {
    id: 'todo.list.slow',
    class: 'slow',
    module: 'todo',
    tool: 'todo.list',
    description: 'todo.list answers after a fixed added delay (default 3000 ms).',
    parameters: { probability: probability(), delayMs: delayMs(false) },
  },
  {
    id: 'todo.list.drops-newest',
    class: 'wrong_result',
    module: 'todo',
    tool: 'todo.list',
    description: 'todo.list leaves out the most recently created task of the listed ones.',
    parameters: { probability: probability() },
  },
  {
    id: 'todo.complete.stays-open',
    class: 'wrong_result',
    module: 'todo',
    tool: 'todo.complete',
    description: 'todo.complete completes the task but answers it still open (status open, no completedAt).',
    parameters: { probability: probability() },
  },
  {
    id: 'todo.update.drops-field',
    class: 'wrong_result',
    module: 'todo',
    tool: 'todo.update',
    description:
      'todo.update leaves out the last field given (in the order title, description, priority, dueDate, subtasks, status): it is neither stored nor answered changed.',
    parameters: { probability: probability() },
  },
  {
    id: 'todo.update.not-saved',
    class: 'lost_write',
    module: 'todo',
    tool: 'todo.update',
    description:
      'todo.update answers the task as changed but stores nothing; a later read shows the old values.',
    parameters: { probability: probability() },
  },
  {
    id: 'todo.list.ignores-limit',
    class: 'contract',
    module: 'todo',
    tool: 'todo.list',
    description: 'todo.list ignores `limit` and answers up to 100 tasks.',
    parameters: { probability: probability() },
  },
  {
    id: 'todo.create.ignores-due-date',
    class: 'contract',
    module: 'todo',
    tool: 'todo.create',
    description: 'todo.create ignores `dueDate`: the task is stored and answered without one.',
    parameters: { probability: probability() },
  },
  // ---- notes
  {
    id: 'notes.search.case-sensitive',
    class: 'wrong_result',
    module: 'notes',
    tool: 'notes.search',
    description: 'notes.search matches case-sensitively although it promises case-insensitive matching.',
    parameters: { probability: probability() },
  },
  {
    id: 'notes.search.ignores-last-word',
    class: 'wrong_result',
    module: 'notes',
    tool: 'notes.search',
    description:
      'notes.search drops the last word of a query of two or more words, so notes that lack it match too.',
    parameters: { probability: probability() },
  },
  {
    id: 'notes.create.not-persisted',
    class: 'lost_write',
    module: 'notes',
    tool: 'notes.create',
    description: 'notes.create answers the note as created but never stores it; search never finds it.',
    parameters: { probability: probability() },
  },
  // ---- habits
  {
    id: 'habits.log.counts-twice',
    class: 'wrong_result',
    module: 'habits',
    tool: 'habits.log',
    description: 'habits.log stores (and answers) twice the count given, at most 100.',
    parameters: { probability: probability() },
  },
  {
    id: 'habits.archive.not-saved',
    class: 'lost_write',
    module: 'habits',
    tool: 'habits.archive',
    description: 'habits.archive answers the habit as archived (or restored) but stores nothing.',
    parameters: { probability: probability() },
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
  },
  {
    id: 'journal.list.ignores-limit',
    class: 'contract',
    module: 'journal',
    tool: 'journal.list',
    description: 'journal.list ignores `limit` and answers up to 50 entries.',
    parameters: { probability: probability() },
  },
  // ---- mood
  {
    id: 'mood.log.scale-inverted',
    class: 'wrong_result',
    module: 'mood',
    tool: 'mood.log',
    description: 'mood.log inverts the 1–10 scale: level L is stored and answered as 11 − L.',
    parameters: { probability: probability() },
  },
  {
    id: 'mood.recent.slow',
    class: 'slow',
    module: 'mood',
    tool: 'mood.recent',
    description: 'mood.recent answers after a jittered added delay (default 3000 ms ± 50 %).',
    parameters: { probability: probability(), delayMs: delayMs(true) },
  },
  // ---- calendar
  {
    id: 'calendar.create_event.hour-off',
    class: 'wrong_result',
    module: 'calendar',
    tool: 'calendar.create_event',
    description: 'calendar.create_event stores (and answers) the event an hour later than given.',
    parameters: { probability: probability() },
  },
  {
    id: 'calendar.list_events.ignores-to',
    class: 'contract',
    module: 'calendar',
    tool: 'calendar.list_events',
    description: 'calendar.list_events ignores the `to` bound and lists events up to 366 days after `from`.',
    parameters: { probability: probability() },
  },
  {
    id: 'calendar.list_events.slow',
    class: 'slow',
    module: 'calendar',
    tool: 'calendar.list_events',
    description: 'calendar.list_events answers after a jittered added delay (default 3000 ms ± 50 %).',
    parameters: { probability: probability(), delayMs: delayMs(true) },
  },
  // ---- contacts
  {
    id: 'contacts.create.not-persisted',
    class: 'lost_write',
    module: 'contacts',
    tool: 'contacts.create',
    description: 'contacts.create answers the contact as created but never stores it.',
    parameters: { probability: probability() },
  },
  {
    id: 'contacts.search.error',
    class: 'error',
    module: 'contacts',
    tool: 'contacts.search',
    description: 'contacts.search fails with an "unavailable" error result.',
    parameters: { probability: probability() },
  },
] as const satisfies readonly FaultDefect[];

/** A catalog id, checked by the compiler where the app modules name their defects. */
export type DefectId = (typeof FAULT_CATALOG)[number]['id'];

const BY_ID = new Map<string, FaultDefect>(FAULT_CATALOG.map((d) => [d.id, d]));

export function findDefect(id: string): FaultDefect | undefined {
  return BY_ID.get(id);
}

/** What a plant asks for; omitted parameters take the defect's defaults when applied. */
export interface FaultSpec {
  defect: string;
  probability?: number;
  delayMs?: number;
  note?: string;
}

/**
 * Problems with a spec for a known defect, one sentence each naming the field (empty: fine). The
 * ranges are checked by the DTO too; this adds the rules that depend on the defect.
 */
export function faultSpecProblems(defect: FaultDefect, spec: Omit<FaultSpec, 'defect'>): string[] {
  const problems: string[] = [];
  const p = spec.probability;
  if (p !== undefined && (typeof p !== 'number' || !Number.isFinite(p) || p < 0 || p > 1)) {
    problems.push('probability must be a number from 0 to 1');
  }
  const d = spec.delayMs;
  if (d !== undefined) {
    if (!defect.parameters.delayMs) {
      problems.push(`delayMs does not apply to ${defect.id} (only slow defects take a delay)`);
    } else if (typeof d !== 'number' || !Number.isInteger(d) || d < 0 || d > MAX_DELAY_MS) {
      problems.push(`delayMs must be a whole number from 0 to ${MAX_DELAY_MS}`);
    }
  }
  const n = spec.note;
  if (n !== undefined && (typeof n !== 'string' || n.length > MAX_NOTE_LENGTH)) {
    problems.push(`note must be a string of at most ${MAX_NOTE_LENGTH} characters`);
  }
  return problems;
}

/**
 * Parses `FAULTS`: a JSON list of catalog ids or of `{ defect, probability?, delayMs?, note? }`.
 * Answers the specs and a readable problem for each bad entry (unknown ids included).
 */
export function parseFaultSpecs(json: string): { specs: FaultSpec[]; problems: string[] } {
  let value: unknown;
  try {
    value = JSON.parse(json);
  } catch {
    return { specs: [], problems: ['must be a JSON list, e.g. ["todo.list.drops-newest"]'] };
  }
  if (!Array.isArray(value)) {
    return { specs: [], problems: ['must be a JSON list, e.g. ["todo.list.drops-newest"]'] };
  }
  const specs: FaultSpec[] = [];
  const problems: string[] = [];
  value.forEach((entry: unknown, i) => {
    const spec: Record<string, unknown> =
      typeof entry === 'string' ? { defect: entry } : (entry as Record<string, unknown>);
    if (typeof spec !== 'object' || spec === null || typeof spec.defect !== 'string') {
      problems.push(`entry ${i} must be a catalog id or an object with a "defect" id`);
      return;
    }
    const extra = Object.keys(spec).filter((k) => !['defect', 'probability', 'delayMs', 'note'].includes(k));
    if (extra.length > 0) problems.push(`entry ${i} has unknown fields: ${extra.join(', ')}`);
    const defect = findDefect(spec.defect);
    if (!defect) {
      problems.push(`entry ${i}: unknown defect "${spec.defect}" (GET /api/v1/faults/catalog lists them)`);
      return;
    }
    const parsed = spec as unknown as FaultSpec;
    const own = faultSpecProblems(defect, parsed);
    problems.push(...own.map((p) => `entry ${i} (${defect.id}): ${p}`));
    if (own.length === 0 && extra.length === 0) specs.push(parsed);
  });
  return { specs, problems };
}
