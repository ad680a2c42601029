import type { BrainTool, ToolOutcome } from '../brains/brain.js';
import { propertyOf } from './json-schema.js';
import type { JsonSchema } from './json-schema.js';
import { isNothing, isRow, rowsAt } from './values.js';
import type { Row } from './values.js';

/**
 * A batch tool (`semantics.batch`: `create_entities({ entities: [...] })`) judged as one call per
 * item: each item gets the tool's one-row view (the same name, an item's input schema, the row at
 * `row` of its answer) and its own answered row, and goes through the write and delete checks as a
 * one-row call would. The engine's ledger, readers and findings see the tool's own name.
 */
export interface BatchItem {
  view: BrainTool;
  input: Row;
  outcome: ToolOutcome;
}

/** Where a view's answer holds the item's row. */
const ROW = 'row';
/** The input field a delete view names its id with. */
const ID = 'id';

const views = new WeakMap<BrainTool, BrainTool>();

/** The one-row view of a batch tool: what one item of its call is, as a tool of one row. */
export function batchView(tool: BrainTool): BrainTool {
  const cached = views.get(tool);
  if (cached) return cached;
  const semantics = tool.semantics!;
  const batch = semantics.batch!;
  const items = propertyOf(tool.inputSchema, batch.input)?.schema.items;
  const itemSchema: JsonSchema = isRow(items) ? items : {};
  const deletes = semantics.effect === 'delete';
  const view: BrainTool = {
    ...tool,
    // a delete's items are ids: the view takes `{ id }`; a create's or update's items are rows
    inputSchema: deletes
      ? { type: 'object', properties: { [ID]: itemSchema }, required: [ID], additionalProperties: false }
      : itemSchema,
    outputSchema: undefined,
    semantics: {
      ...semantics,
      batch: undefined,
      result: deletes ? undefined : ROW,
      idInput: deletes ? ID : semantics.idInput,
    },
  };
  views.set(tool, view);
  return view;
}

/**
 * The items of a batch call, each with its row of the answer: matched by the id field when the
 * items carry it, else by position when the answer has one row per item. An item without an
 * answered row is left out (a create that skips a row that exists answers without it).
 */
export function batchItems(tool: BrainTool, input: Row, outcome: ToolOutcome): BatchItem[] {
  const semantics = tool.semantics!;
  const sent = input[semantics.batch!.input];
  if (!Array.isArray(sent)) return [];
  const view = batchView(tool);
  if (semantics.effect === 'delete') {
    return sent
      .filter((id) => !isNothing(id) && !isRow(id))
      .map((id) => ({ view, input: { [ID]: id }, outcome }));
  }
  const rows = semantics.result ? (rowsAt(outcome.data, semantics.result) ?? []) : [];
  const idField = semantics.idField ?? 'id';
  const out: BatchItem[] = [];
  for (const [i, item] of sent.entries()) {
    if (!isRow(item)) continue;
    const id = item[idField];
    const row = isNothing(id)
      ? rows.length === sent.length
        ? rows[i]
        : undefined
      : rows.find((r) => !isNothing(r[idField]) && String(r[idField]) === String(id));
    if (!row) continue;
    out.push({ view, input: item, outcome: { ...outcome, data: { [ROW]: row } } });
  }
  return out;
}
