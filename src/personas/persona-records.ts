import { clip } from '../common/text.js';
import { isUuid } from '../common/uuid.js';
import {
  ACTION_ORIGINS,
  ERROR_KINDS,
  FINDING_CLASSES,
  FINDING_SOURCES,
} from './schedule/persona-schedule.types.js';
import type {
  ActionOrigin,
  ActionResult,
  ErrorKind,
  FindingClass,
  FindingSource,
} from './schedule/persona-schedule.types.js';
import { PersonaErrorCode, PersonaException } from './personas.exception.js';
import { TRAJECTORY_WIRE_MAX_CHARS } from './audit/trajectory-content.js';

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
export interface ActionRow extends Required<ActionInput> {
  id: string;
  module: string;
}

/** A feedback row ready to store: notes made explicit, id derived. */
export interface FeedbackRow extends Required<FeedbackInput> {
  id: string;
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

/** A finding ready to store: seq and personaMistake made explicit, id derived, texts clipped. */
export interface FindingRow extends Required<FindingInput> {
  id: string;
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

function checkKeys(
  p: Problems,
  at: string,
  row: Record<string, unknown>,
  allowed: ReadonlySet<string>,
): void {
  for (const key of Object.keys(row)) if (!allowed.has(key)) p.add(`${at}.${key} is not allowed`);
}

/** One batch as the validators read it: `field[i]` rows, at most `max`, each holding only `keys`. */
interface BatchRules<T> {
  field: 'actions' | 'feedback' | 'findings';
  max: number;
  keys: ReadonlySet<string>;
  /** Adds one problem per bad field of the row at `at` (`actions[3]`). */
  check: (p: Problems, at: string, raw: Record<string, unknown>) => void;
  /** The row to store, from a row that passed `check`. */
  build: (raw: Record<string, unknown>) => T;
}

/**
 * The frame of every batch validator (HTTP body or in-process call alike): checks each row and
 * builds what is stored. Throws one 400 listing every bad field of every row; nothing is written then.
 */
function validateBatch<T>(value: unknown, rules: BatchRules<T>): T[] {
  const p = new Problems();
  const rows = checkRows(p, rules.field, value, rules.max);
  const out: T[] = [];
  rows.forEach((raw, i) => {
    const at = `${rules.field}[${i}]`;
    if (!isRecord(raw)) {
      p.add(`${at} must be an object`);
      return;
    }
    checkKeys(p, at, raw, rules.keys);
    rules.check(p, at, raw);
    if (p.list.length === 0) out.push(rules.build(raw));
  });
  p.throwIfAny();
  return out;
}

const isInt = (value: unknown, min: number, max: number): value is number =>
  typeof value === 'number' && Number.isInteger(value) && value >= min && value <= max;
/** A text the row may leave out (null then), as `check` passed it through optionalText. */
const textOrNull = (value: unknown) => (absent(value) ? null : (value as string));

function checkTickId(p: Problems, at: string, value: unknown): void {
  if (!isUuid(value)) p.add(`${at}.tickId must be a UUID`);
}

function checkToolName(p: Problems, at: string, name: string, value: unknown): void {
  if (typeof value !== 'string' || !TOOL_NAME.test(value))
    p.add(`${at}.${name} must be 1–128 characters of letters, digits, '_', '.', '-'`);
}

function checkModule(p: Problems, at: string, value: unknown): void {
  if (typeof value !== 'string' || !MODULE.test(value))
    p.add(`${at}.module must be a module name (lower case letters, digits, '_')`);
}

/** One of `allowed`; with `optional`, also absent. */
function checkOneOf(
  p: Problems,
  at: string,
  name: string,
  value: unknown,
  allowed: readonly string[],
  optional = false,
): void {
  if (optional && absent(value)) return;
  if (!allowed.includes(value as string)) p.add(`${at}.${name} must be one of ${allowed.join(', ')}`);
}

function checkFlag(p: Problems, at: string, name: string, value: unknown): void {
  if (!absent(value) && typeof value !== 'boolean') p.add(`${at}.${name} must be true or false`);
}

/** Validates a batch of actions and derives id and module. */
export function validateActions(value: unknown): ActionRow[] {
  return validateBatch(value, {
    field: 'actions',
    max: MAX_ACTIONS_PER_CALL,
    keys: ACTION_KEYS,
    check: (p, at, raw) => {
      const { result, errorKind, latencyMs } = raw;
      checkTickId(p, at, raw.tickId);
      if (!isInt(raw.seq, 0, INT4_MAX)) p.add(`${at}.seq must be an integer ≥ 0`);
      checkToolName(p, at, 'toolName', raw.toolName);
      if (result !== 'ok' && result !== 'error') p.add(`${at}.result must be "ok" or "error"`);
      checkOneOf(p, at, 'errorKind', errorKind, ERROR_KINDS, true);
      if (result === 'ok' && !absent(errorKind))
        p.add(`${at}.errorKind is only allowed when result is "error"`);
      optionalText(p, `${at}.inputHash`, raw.inputHash, 128);
      optionalText(p, `${at}.errorMessage`, raw.errorMessage, 2000);
      if (!absent(latencyMs) && !isInt(latencyMs, 0, INT4_MAX))
        p.add(`${at}.latencyMs must be an integer ≥ 0`);
      checkOneOf(p, at, 'origin', raw.origin, ACTION_ORIGINS, true);
      optionalText(p, `${at}.input`, raw.input, TRAJECTORY_WIRE_MAX_CHARS);
      optionalText(p, `${at}.output`, raw.output, TRAJECTORY_WIRE_MAX_CHARS);
      checkFlag(p, at, 'inputTruncated', raw.inputTruncated);
      checkFlag(p, at, 'outputTruncated', raw.outputTruncated);
    },
    build: (raw) => {
      const tick = (raw.tickId as string).toLowerCase();
      const tool = raw.toolName as string;
      return {
        id: actionId(tick, raw.seq as number, tool),
        tickId: tick,
        seq: raw.seq as number,
        toolName: tool,
        module: moduleOfTool(tool),
        inputHash: textOrNull(raw.inputHash),
        result: raw.result as ActionResult,
        errorKind: absent(raw.errorKind) ? null : (raw.errorKind as ErrorKind),
        errorMessage: textOrNull(raw.errorMessage),
        latencyMs: absent(raw.latencyMs) ? null : (raw.latencyMs as number),
        origin: absent(raw.origin) ? 'brain' : (raw.origin as ActionOrigin),
        input: textOrNull(raw.input),
        output: textOrNull(raw.output),
        inputTruncated: raw.inputTruncated === true,
        outputTruncated: raw.outputTruncated === true,
      };
    },
  });
}

/** Validates a batch of feedback rows (ratings must be whole numbers 1–5) and derives the ids. */
export function validateFeedback(value: unknown): FeedbackRow[] {
  return validateBatch(value, {
    field: 'feedback',
    max: MAX_FEEDBACK_PER_CALL,
    keys: FEEDBACK_KEYS,
    check: (p, at, raw) => {
      checkTickId(p, at, raw.tickId);
      checkModule(p, at, raw.module);
      if (!isInt(raw.rating, 1, 5)) p.add(`${at}.rating must be an integer from 1 to 5`);
      optionalText(p, `${at}.notes`, raw.notes, 4000);
    },
    build: (raw) => {
      const tick = (raw.tickId as string).toLowerCase();
      return {
        id: feedbackId(tick, raw.module as string),
        tickId: tick,
        module: raw.module as string,
        rating: raw.rating as number,
        notes: textOrNull(raw.notes),
      };
    },
  });
}

/**
 * Validates a batch of findings and derives the ids; `expected` and `got` are clipped to
 * FINDING_TEXT_MAX characters (a finding keeps a short expected-vs-got, never a whole answer).
 */
export function validateFindings(value: unknown): FindingRow[] {
  return validateBatch(value, {
    field: 'findings',
    max: MAX_FINDINGS_PER_CALL,
    keys: FINDING_KEYS,
    check: (p, at, raw) => {
      const { seq, check } = raw;
      checkTickId(p, at, raw.tickId);
      if (!absent(seq) && !isInt(seq, 0, INT4_MAX)) p.add(`${at}.seq must be an integer ≥ 0 or null`);
      checkModule(p, at, raw.module);
      checkToolName(p, at, 'tool', raw.tool);
      checkOneOf(p, at, 'class', raw.class, FINDING_CLASSES);
      if (typeof check !== 'string' || !CHECK_NAME.test(check))
        p.add(`${at}.check must be 1–${FINDING_CHECK_MAX} characters of letters, digits, '.', '_', '-'`);
      if (typeof raw.expected !== 'string') p.add(`${at}.expected must be a string`);
      if (typeof raw.got !== 'string') p.add(`${at}.got must be a string`);
      checkOneOf(p, at, 'source', raw.source, FINDING_SOURCES);
      checkFlag(p, at, 'personaMistake', raw.personaMistake);
    },
    build: (raw) => {
      const tick = (raw.tickId as string).toLowerCase();
      const callSeq = absent(raw.seq) ? null : (raw.seq as number);
      return {
        id: findingId(tick, callSeq, raw.check as string),
        tickId: tick,
        seq: callSeq,
        module: raw.module as string,
        tool: raw.tool as string,
        class: raw.class as FindingClass,
        check: raw.check as string,
        expected: clip(raw.expected as string, FINDING_TEXT_MAX),
        got: clip(raw.got as string, FINDING_TEXT_MAX),
        source: raw.source as FindingSource,
        personaMistake: raw.personaMistake === true,
      };
    },
  });
}
