import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { Ajv2020 } from 'ajv/dist/2020.js';
import type { ErrorObject } from 'ajv';
import type { PublishedToolSemantics, ToolSemantics } from '../../tool-contract/tool-semantics.js';

export const SEMANTICS_SCHEMA_PATH = 'catalog/semantics.schema.json';

/** A semantics file that cannot be used, with what is wrong and where. */
export class SemanticsFileError extends Error {}

/**
 * Reads a semantics file (JSON, `{ "tools": { "<tool name>": { effect, entity, … } } }`), checks it
 * against catalog/semantics.schema.json, and answers each tool's semantics as the built-in tools
 * publish them: `readers` filled in, when left out, with every tool of the same entity that lists,
 * searches or reads it.
 */
export function loadSemanticsFile(
  path: string,
  schemaPath = SEMANTICS_SCHEMA_PATH,
): Record<string, PublishedToolSemantics> {
  let text: string;
  try {
    text = readFileSync(resolve(path), 'utf8');
  } catch (error) {
    throw new SemanticsFileError(`cannot read the semantics file ${path}: ${(error as Error).message}`);
  }
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (error) {
    throw new SemanticsFileError(`the semantics file ${path} is not JSON: ${(error as Error).message}`);
  }
  const schema = JSON.parse(readFileSync(resolve(schemaPath), 'utf8')) as Record<string, unknown>;
  const validate = new Ajv2020({ allErrors: true, strict: false }).compile(schema);
  if (!validate(data)) {
    throw new SemanticsFileError(
      `the semantics file ${path} does not match ${schemaPath}: ${describe(validate.errors)}`,
    );
  }
  return withReaders((data as { tools: Record<string, ToolSemantics> }).tools);
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
