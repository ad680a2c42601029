import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import type { PublishedToolSemantics } from '../../tool-contract/tool-semantics.js';
import {
  SEMANTICS_SCHEMA_PATH,
  SemanticsFileError,
  parseSemanticsDocument,
  withReaders,
} from '../../tool-contract/semantics-document.js';

// the document's rule is shared with the targets admin API (src/personas/targets), so it lives below both
export {
  SEMANTICS_SCHEMA_PATH,
  SemanticsFileError,
  parseSemanticsDocument,
  withReaders,
} from '../../tool-contract/semantics-document.js';

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
  return withReaders(parseSemanticsDocument(data, `the semantics file ${path}`, schemaPath).tools);
}
