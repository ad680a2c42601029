// What a tool promises, in one small vocabulary: the oracle engine (src/runner/oracles) checks every
// call against it, and MCP clients read it from tools/list under `_meta["mana/semantics"]`. The same
// vocabulary, written as JSON in a semantics file, describes a third-party server's tools.
//
// Paths (`result`, `items`, `of`, derived `field`) are dotted paths into the tool's answer
// (structuredContent): `task`, `items`, `entry.wordCount`. Field names inside a row are plain keys.

/** The `_meta` key under which each tool publishes its ToolSemantics in tools/list. */
export const TOOL_SEMANTICS_META_KEY = 'mana/semantics';

export const TOOL_EFFECTS = ['create', 'read', 'list', 'search', 'update', 'delete', 'action'] as const;
export type ToolEffect = (typeof TOOL_EFFECTS)[number];

/**
 * How a row field is compared with the input that set it:
 * - `exact`: the same JSON value (numbers, booleans, enums);
 * - `text`: the string as sent without its surrounding whitespace (the tool trims it);
 * - `casefold`: strings equal ignoring case and surrounding whitespace (emails);
 * - `instant`: two date-times naming the same moment (`09:00+01:00` is `08:00Z`);
 * - `set`: arrays with the same members, ignoring order and case (tags);
 * - `json`: the same JSON value, object keys in any order (nested objects, arrays of objects);
 * - `items`: arrays of the same length, in order; an item sent as a string, trimmed, is the
 *   answered item's `itemField`, an item sent as an object has each key it sends as sent (keys it
 *   leaves out take the tool's default), e.g. subtasks sent as titles and answered as objects.
 */
export const ECHO_COMPARES = ['exact', 'text', 'casefold', 'instant', 'set', 'json', 'items'] as const;
export type EchoCompare = (typeof ECHO_COMPARES)[number];

/** An input field that the answer's row must echo. */
export interface EchoRule {
  /** The input field. */
  input: string;
  /** The row field that holds it; default the same name. */
  field?: string;
  compare: EchoCompare;
  /** For `items`: the field of an answered item that an item sent as a string is (e.g. `title`). */
  itemField?: string;
  /** `null` in the input removes the value: the row answers null, an empty list, or nothing. */
  nullClears?: boolean;
  /**
   * The echo holds only when the answer says the write happened: a field of the answer (a dotted
   * path from its root) and the value it must have, e.g. `{ path: 'created', equals: true }`.
   */
  when?: { path: string; equals: unknown };
}

/**
 * A field the tool computes from others. `count`: the number of items at `of`; `mean`: the mean of
 * the numbers at `of` (`items.level`), null when there are none, rounded to `decimals`;
 * `word-count`: the words of the text at `of` (a row field of the same row, e.g. `content`);
 * `sum`: the sum of the numbers at `of`.
 */
export interface DerivedField {
  /** Dotted path into the answer (`count`, `averageLevel`) or, for `word-count`, a row field. */
  field: string;
  rule: 'count' | 'mean' | 'word-count' | 'sum';
  /** `items`, `items.level`, or (for `word-count`) the row field the words are counted in. */
  of: string;
  decimals?: number;
}

/** One sort key of a declared order. Date-times compare as instants, other strings by code point. */
export interface OrderKey {
  field: string;
  direction: 'asc' | 'desc';
  /** Where rows without the field go (default: not checked). */
  nulls?: 'first' | 'last';
}

/**
 * A filter: which rows an input value admits.
 * - `equals`: `row[field] === input`, e.g. `archived: true` lists only archived rows;
 * - `one-of`: the input value maps to the row values it admits; a value mapped to `null` admits all
 *   (`status: { open: ['open'], all: null }`);
 * - `min` / `max`: `row[field] >= input` / `row[field] <= input` (`exclusive` for > / <), compared
 *   as dates or instants when both are, else as numbers;
 * - `days-back`: the row's date or instant `field` lies within the last N days (today counted as
 *   the first), N from the input; with `rolling`, within the last N×24 hours up to the call instead;
 * - `overlaps`: the row's span [`field`, `endField`] overlaps the input range [`input`, `inputEnd`)
 *   (an event that ends exactly at `from` does not overlap).
 */
export type FilterRule =
  | { kind: 'equals'; input: string; field: string }
  | { kind: 'one-of'; input: string; field: string; values: Record<string, unknown[] | null> }
  | { kind: 'min' | 'max'; input: string; field: string; exclusive?: boolean }
  | { kind: 'days-back'; input: string; field: string; rolling?: boolean }
  | { kind: 'overlaps'; input: string; inputEnd: string; field: string; endField: string };

/** What a list (or search) answer promises about its items. */
export interface ListSemantics {
  /** Path of the item array in the answer; default `items`. */
  items?: string;
  /** The input that caps how many items come back, and its default when absent. */
  limit?: { input: string; default: number };
  /**
   * The order of the items: a fixed order (`fixed`), or one per value of an input (`input`, with
   * `byValue` per value and `default` the value used when it is absent).
   */
  order?: { fixed: OrderKey[] } | { input: string; default: string; byValue: Record<string, OrderKey[]> };
  filters?: FilterRule[];
  /**
   * The list shows every row of the entity that passes the filters, up to the limit (true for a
   * list; a search is complete over the rows that match its query). When false, read-your-writes
   * does not use this reader.
   */
  complete: boolean;
  /** A row field whose value true marks a row the tool could not read (e.g. `decryptionFailed`). */
  unreadableFlag?: string;
  /**
   * The answer says how far it looked (a search over the newest N rows): `scanned` rows were
   * looked at, `unreadable` of them could not be read, and `windowFull` is true exactly when
   * `scanned` reached `window`. Answer fields, top level.
   */
  scan?: { scanned: string; unreadable?: string; windowFull?: { field: string; window: number } };
  /** The answer flags (`field`, top level) that rows past a fixed maximum of `max` items were left out. */
  truncated?: { field: string; max: number };
}

/** What a search promises: every hit matches the query, and every matching row is found. */
export interface SearchSemantics {
  query: string;
  /** Row fields the query is matched in (any one suffices). */
  fields: string[];
  /** `substring-casefold`: a case-insensitive literal substring (no wildcards). */
  match: 'substring-casefold' | 'substring';
}

/**
 * A state change an action (or an update) makes: fields of the row set to a value, or to any
 * non-null value (`{ set: true }`), or cleared (`{ set: false }`: null).
 */
export type StateValue = { equals: unknown } | { set: boolean };

export interface ToolSemantics {
  effect: ToolEffect;
  /** The entity the tool acts on: `task`, `note`, `habit`, … (one namespace per server). */
  entity: string;
  /** The entity row's id field; default `id`. */
  idField?: string;
  /** The input field that names the row acted on (update, delete, action, read by id). */
  idInput?: string;
  /**
   * Path of the row in the answer, for create, read, update and action (`task`, `entry`). For a
   * delete: the path of the id it echoes (`id`).
   */
  result?: string;
  /**
   * The call acts on several rows at once (a batch tool, e.g. `create_entities`): `input` is the
   * input array whose items are the rows sent (create, update) or their ids (delete). `result` is
   * then the path of the answered array of rows, `echo` and `idInput` apply to one item, and the
   * engine judges the call as one call per item (an item the answer leaves out is not judged: a
   * create may skip rows that exist). Rows are matched by `idField` when the items carry it, else
   * by position when the answer has as many rows as were sent.
   */
  batch?: { input: string };
  /** Input fields the row must echo as sent. */
  echo?: EchoRule[];
  /** Fields the tool computes. */
  derived?: DerivedField[];
  /** For list and search. */
  list?: ListSemantics;
  search?: SearchSemantics;
  /** What the call sets on the row (action and update), e.g. complete → `status: done`. */
  sets?: Record<string, StateValue>;
  /**
   * What the call sets when an input has a given value, e.g. an update with `status: done` sets
   * `completedAt`, with `status: open` clears it.
   */
  setsWhen?: Array<{ input: string; equals: unknown; sets: Record<string, StateValue> }>;
  /**
   * Repeating the call with the same input changes nothing more (MCP's idempotentHint): true for
   * reads, updates that set values, archive, complete; false for create, log, add.
   */
  idempotent: boolean;
  /**
   * The tools that read this entity back (list, search, read by id). When absent, every tool of the
   * same entity whose effect is list, search or read; the published semantics always carry it.
   */
  readers?: string[];
}

/** The ToolSemantics of a tool as published: the readers filled in by the registry. */
export type PublishedToolSemantics = ToolSemantics & { readers: string[] };
