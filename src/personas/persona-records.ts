import { clip } from '../common/text.js';
import { isUuid } from '../common/uuid.js';
import { ACTION_ORIGINS, ERROR_KINDS, FINDING_CLASSES, FINDING_SOURCES } from './persona-schedule.types.js';
import type {
  ActionOrigin,
  ActionResult,
  ErrorKind,
  FindingClass,
  FindingSource,
} from './persona-schedule.types.js';
import { PersonaErrorCode, PersonaException } from './personas.exception.js';
import { TRAJECTORY_WIRE_MAX_CHARS } from './trajectory-content.js';

/** One tool call as the runner reports it (in-process or over the internal API). */
export interface ActionInput {
  tickId: string;
  seq: number;
  toolName: string;
  inputHash?: string | null;
  result: ActionResult;
  errorKind?: ErrorKind | null;
  errorMessage?: string | null;
  latencyMs?: number | null;
  /** `brain` (default): the persona's own call; `oracle`: a probe of the oracle engine. */
  origin?: ActionOrigin;
  /** What the persona sent, as trajectory-content.ts keeps it (JSON text, secrets out, maybe cut). */
  input?: string | null;
  /** What the app answered, kept the same way. */
  output?: string | null;
  inputTruncated?: boolean;
  outputTruncated?: boolean;
}

/** One module's rating at the end of a tick. */
export interface FeedbackInput {
  tickId: string;
  module: string;
  rating: number;
  notes?: string | null;
}

/** What a batch write answers: rows written now, and rows that were already there, identical. */
export interface RecordResult {
  inserted: number;
  duplicates: number;
}

/** An action row ready to store: every optional field made explicit, id and module derived. */
export interface ActionRow {
  id: string;
  tickId: string;
  seq: number;
  toolName: string;
  module: string;
  inputHash: string | null;
  result: ActionResult;
  errorKind: ErrorKind | null;
  errorMessage: string | null;
  latencyMs: number | null;
  origin: ActionOrigin;
  input: string | null;
  output: string | null;
  inputTruncated: boolean;
  outputTruncated: boolean;
}

export interface FeedbackRow {
  id: string;
  tickId: string;
  module: string;
  rating: number;
  notes: string | null;
}

/** Something the persona noticed was wrong, tied to the call (seq) that showed it. */
export interface FindingInput {
  tickId: string;
  /** seq of the call that showed it; null when no single call did. */
  seq?: number | null;
  module: string;
  tool: string;
  class: FindingClass;
  check: string;
  expected: string;
  got: string;
  source: FindingSource;
  personaMistake?: boolean;
}

export interface FindingRow {
  id: string;
  tickId: string;
  seq: number | null;
  module: string;
  tool: string;
  class: FindingClass;
  check: string;
  expected: string;
  got: string;
  source: FindingSource;
  personaMistake: boolean;
}

export const MAX_ACTIONS_PER_CALL = 500;
export const MAX_FEEDBACK_PER_CALL = 100;
export const MAX_FINDINGS_PER_CALL = 100;
/** Findings keep a short expected-vs-got: longer texts are clipped to this. */
export const FINDING_TEXT_MAX = 200;
export const FINDING_CHECK_MAX = 100;
/** A check's stable name: `call.failed`, `read-your-writes.list`, `state.completed-stays-done`. */
export const CHECK_NAME = /^[a-z0-9][a-z0-9._-]{0,99}$/i;
const INT4_MAX = 2_147_483_647;
/** Tool names as the LLM sent them (an unknown or malformed name is still worth recording). */
const TOOL_NAME = /^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$/;
const MODULE = /^[a-z][a-z0-9_]{0,63}$/;
const ACTION_KEYS = new Set([
  'tickId',
  'seq',
  'toolName',
  'inputHash',
  'result',
  'errorKind',
  'errorMessage',
  'latencyMs',
  'origin',
  'input',
  'output',
  'inputTruncated',
  'outputTruncated',
]);
const FEEDBACK_KEYS = new Set(['tickId', 'module', 'rating', 'notes']);
const FINDING_KEYS = new Set([
  'tickId',
  'seq',
  'module',
  'tool',
  'class',
  'check',
  'expected',
  'got',
  'source',
  'personaMistake',
]);

/** The module of a tool: its name up to the first dot (`todo.create` → `todo`). */
export function moduleOfTool(toolName: string): string {
  const dot = toolName.indexOf('.');
  return dot === -1 ? toolName : toolName.slice(0, dot);
}

export const actionId = (tickId: string, seq: number, toolName: string) =>
  `${tickId.toLowerCase()}-${seq}-${toolName}`;
export const feedbackId = (tickId: string, module: string) => `${tickId.toLowerCase()}-${module}`;
export const findingId = (tickId: string, seq: number | null, check: string) =>
  `${tickId.toLowerCase()}-${seq ?? 'none'}-${check}`;

/** Collects one message per bad field, each naming the row and field (`actions[3].seq …`). */
class Problems {
  readonly list: string[] = [];
  add(message: string): void {
    this.list.push(message);
  }
  throwIfAny(): void {
    if (this.list.length === 0) return;
    const shown = this.list.slice(0, 20);
    const more = this.list.length > shown.length ? `; and ${this.list.length - shown.length} more` : '';
    throw new PersonaException(PersonaErrorCode.INVALID_INPUT, `${shown.join('; ')}${more}`);
  }
}

const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);
const absent = (value: unknown) => value === undefined || value === null;

function optionalText(p: Problems, at: string, value: unknown, max: number): string | null {
  if (absent(value)) return null;
  if (typeof value !== 'string') {
    p.add(`${at} must be a string`);
    return null;
  }
  if (value.length > max) p.add(`${at} must be at most ${max} characters`);
  return value;
}

function checkRows(p: Problems, field: string, value: unknown, max: number): unknown[] {
  if (!Array.isArray(value)) {
    p.add(`${field} must be an array`);
    p.throwIfAny();
  }
  const rows = value as unknown[];
  if (rows.length > max) {
    p.add(`${field} must contain at most ${max} rows (got ${rows.length})`);
    p.throwIfAny();
  }
  return rows;
}

function checkKeys(p: Problems, at: string, row: Record<string, unknown>, allowed: Set<string>): void {
  for (const key of Object.keys(row)) if (!allowed.has(key)) p.add(`${at}.${key} is not allowed`);
}

/**
 * Validates a batch of actions (HTTP body or in-process call alike) and derives id and module.
 * Throws one 400 listing every bad field of every row; nothing is written then.
 */
export function validateActions(value: unknown): ActionRow[] {
  const p = new Problems();
  const rows = checkRows(p, 'actions', value, MAX_ACTIONS_PER_CALL);
  const out: ActionRow[] = [];
  rows.forEach((raw, i) => {
    const at = `actions[${i}]`;
    if (!isRecord(raw)) {
      p.add(`${at} must be an object`);
      return;
    }
    checkKeys(p, at, raw, ACTION_KEYS);
    const { tickId, seq, toolName, result, errorKind, latencyMs, origin } = raw;
    if (!isUuid(tickId)) p.add(`${at}.tickId must be a UUID`);
    if (typeof seq !== 'number' || !Number.isInteger(seq) || seq < 0 || seq > INT4_MAX)
      p.add(`${at}.seq must be an integer ≥ 0`);
    if (typeof toolName !== 'string' || !TOOL_NAME.test(toolName))
      p.add(`${at}.toolName must be 1–128 characters of letters, digits, '_', '.', '-'`);
    if (result !== 'ok' && result !== 'error') p.add(`${at}.result must be "ok" or "error"`);
    if (!absent(errorKind) && !ERROR_KINDS.includes(errorKind as ErrorKind))
      p.add(`${at}.errorKind must be one of ${ERROR_KINDS.join(', ')}`);
    if (result === 'ok' && !absent(errorKind))
      p.add(`${at}.errorKind is only allowed when result is "error"`);
    const inputHash = optionalText(p, `${at}.inputHash`, raw.inputHash, 128);
    const errorMessage = optionalText(p, `${at}.errorMessage`, raw.errorMessage, 2000);
    if (
      !absent(latencyMs) &&
      (typeof latencyMs !== 'number' || !Number.isInteger(latencyMs) || latencyMs < 0 || latencyMs > INT4_MAX)
    )
      p.add(`${at}.latencyMs must be an integer ≥ 0`);
    if (!absent(origin) && !ACTION_ORIGINS.includes(origin as ActionOrigin))
      p.add(`${at}.origin must be one of ${ACTION_ORIGINS.join(', ')}`);
    const input = optionalText(p, `${at}.input`, raw.input, TRAJECTORY_WIRE_MAX_CHARS);
    const output = optionalText(p, `${at}.output`, raw.output, TRAJECTORY_WIRE_MAX_CHARS);
    for (const flag of ['inputTruncated', 'outputTruncated'] as const)
      if (!absent(raw[flag]) && typeof raw[flag] !== 'boolean') p.add(`${at}.${flag} must be true or false`);
    if (p.list.length > 0) return;
    const tick = (tickId as string).toLowerCase();
    const tool = toolName as string;
    out.push({
      id: actionId(tick, seq as number, tool),
      tickId: tick,
      seq: seq as number,
      toolName: tool,
      module: moduleOfTool(tool),
      inputHash,
      result: result as ActionResult,
      errorKind: absent(errorKind) ? null : (errorKind as ErrorKind),
      errorMessage,
      latencyMs: absent(latencyMs) ? null : (latencyMs as number),
      origin: absent(origin) ? 'brain' : (origin as ActionOrigin),
      input,
      output,
      inputTruncated: raw.inputTruncated === true,
      outputTruncated: raw.outputTruncated === true,
    });
  });
  p.throwIfAny();
  return out;
}

/** Validates a batch of feedback rows (ratings must be whole numbers 1–5) and derives the ids. */
export function validateFeedback(value: unknown): FeedbackRow[] {
  const p = new Problems();
  const rows = checkRows(p, 'feedback', value, MAX_FEEDBACK_PER_CALL);
  const out: FeedbackRow[] = [];
  rows.forEach((raw, i) => {
    const at = `feedback[${i}]`;
    if (!isRecord(raw)) {
      p.add(`${at} must be an object`);
      return;
    }
    checkKeys(p, at, raw, FEEDBACK_KEYS);
    const { tickId, module, rating } = raw;
    if (!isUuid(tickId)) p.add(`${at}.tickId must be a UUID`);
    if (typeof module !== 'string' || !MODULE.test(module))
      p.add(`${at}.module must be a module name (lower case letters, digits, '_')`);
    if (typeof rating !== 'number' || !Number.isInteger(rating) || rating < 1 || rating > 5)
      p.add(`${at}.rating must be an integer from 1 to 5`);
    const notes = optionalText(p, `${at}.notes`, raw.notes, 4000);
    if (p.list.length > 0) return;
    const tick = (tickId as string).toLowerCase();
    out.push({
      id: feedbackId(tick, module as string),
      tickId: tick,
      module: module as string,
      rating: rating as number,
      notes,
    });
  });
  p.throwIfAny();
  return out;
}

/**
 * Validates a batch of findings and derives the ids; `expected` and `got` are clipped to
 * FINDING_TEXT_MAX characters (a finding keeps a short expected-vs-got, never a whole answer).
 */
export function validateFindings(value: unknown): FindingRow[] {
  const p = new Problems();
  const rows = checkRows(p, 'findings', value, MAX_FINDINGS_PER_CALL);
  const out: FindingRow[] = [];
  rows.forEach((raw, i) => {
    const at = `findings[${i}]`;
    if (!isRecord(raw)) {
      p.add(`${at} must be an object`);
      return;
    }
    checkKeys(p, at, raw, FINDING_KEYS);
    const { tickId, seq, module, tool, check, expected, got, source, personaMistake } = raw;
    const kind = raw.class;
    if (!isUuid(tickId)) p.add(`${at}.tickId must be a UUID`);
    if (!absent(seq) && (typeof seq !== 'number' || !Number.isInteger(seq) || seq < 0 || seq > INT4_MAX))
      p.add(`${at}.seq must be an integer ≥ 0 or null`);
    if (typeof module !== 'string' || !MODULE.test(module))
      p.add(`${at}.module must be a module name (lower case letters, digits, '_')`);
    if (typeof tool !== 'string' || !TOOL_NAME.test(tool))
      p.add(`${at}.tool must be 1–128 characters of letters, digits, '_', '.', '-'`);
    if (!FINDING_CLASSES.includes(kind as FindingClass))
      p.add(`${at}.class must be one of ${FINDING_CLASSES.join(', ')}`);
    if (typeof check !== 'string' || !CHECK_NAME.test(check))
      p.add(`${at}.check must be 1–${FINDING_CHECK_MAX} characters of letters, digits, '.', '_', '-'`);
    if (typeof expected !== 'string') p.add(`${at}.expected must be a string`);
    if (typeof got !== 'string') p.add(`${at}.got must be a string`);
    if (!FINDING_SOURCES.includes(source as FindingSource))
      p.add(`${at}.source must be one of ${FINDING_SOURCES.join(', ')}`);
    if (!absent(personaMistake) && typeof personaMistake !== 'boolean')
      p.add(`${at}.personaMistake must be true or false`);
    if (p.list.length > 0) return;
    const tick = (tickId as string).toLowerCase();
    const callSeq = absent(seq) ? null : (seq as number);
    out.push({
      id: findingId(tick, callSeq, check as string),
      tickId: tick,
      seq: callSeq,
      module: module as string,
      tool: tool as string,
      class: kind as FindingClass,
      check: check as string,
      expected: clip(expected as string, FINDING_TEXT_MAX),
      got: clip(got as string, FINDING_TEXT_MAX),
      source: source as FindingSource,
      personaMistake: personaMistake === true,
    });
  });
  p.throwIfAny();
  return out;
}
