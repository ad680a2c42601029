import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { Ajv2020 } from 'ajv/dist/2020.js';
import type { ErrorObject, ValidateFunction } from 'ajv';
import type { PublishedToolSemantics, ToolSemantics } from './tool-semantics.js';

export const SEMANTICS_SCHEMA_PATH = 'catalog/semantics.schema.json';

/** A semantics document that cannot be used, with what is wrong and where. */
export class SemanticsFileError extends Error {}

/** A semantics document: `{ "tools": { "<tool name>": { effect, entity, … } } }` (and a description). */
export interface SemanticsDocument {
  tools: Record<string, ToolSemantics>;
  [key: string]: unknown;
}

/** Compiled once per schema file: the document is checked on every target write. */
const validators = new Map<string, ValidateFunction>();

function validatorFor(schemaPath: string): ValidateFunction {
  const path = resolve(schemaPath);
  let validate = validators.get(path);
  if (!validate) {
    const schema = JSON.parse(readFileSync(path, 'utf8')) as Record<string, unknown>;
    validate = new Ajv2020({ allErrors: true, strict: false }).compile(schema);
    validators.set(path, validate);
  }
  return validate;
}

/**
 * Checks parsed JSON against catalog/semantics.schema.json, the one rule for a semantics file read
 * by `npm run check` and a target's `semantics` stored through the admin API. `what` opens the
 * message (`the semantics file x.json`, `semantics`), so the caller's user knows where to look.
 */
export function parseSemanticsDocument(
  data: unknown,
  what: string,
  schemaPath = SEMANTICS_SCHEMA_PATH,
): SemanticsDocument {
  const validate = validatorFor(schemaPath);
  if (!validate(data)) {
    throw new SemanticsFileError(`${what} does not match ${schemaPath}: ${describe(validate.errors)}`);
  }
  return data as SemanticsDocument;
}

/** Each tool's readers: as declared, else the list, search and read tools of its entity. */
export function withReaders(tools: Record<string, ToolSemantics>): Record<string, PublishedToolSemantics> {
  const readersOf = (entity: string) =>
    Object.entries(tools)
      .filter(([, s]) => s.entity === entity && ['list', 'search', 'read'].includes(s.effect))
      .map(([name]) => name)
      .sort();
  return Object.fromEntries(
    Object.entries(tools).map(([name, s]) => [name, { ...s, readers: s.readers ?? readersOf(s.entity) }]),
  );
}

function describe(errors: ErrorObject[] | null | undefined): string {
  return (errors ?? [])
    .slice(0, 5)
    .map((e) => `${e.instancePath || '(root)'} ${e.message ?? e.keyword}`)
    .join('; ');
}
