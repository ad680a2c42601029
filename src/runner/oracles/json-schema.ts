import { Ajv } from 'ajv';
import { Ajv2020 } from 'ajv/dist/2020.js';
import type { ErrorObject, ValidateFunction } from 'ajv';
import { isRow } from './values.js';

/**
 * The JSON Schemas a tool declares (inputSchema, outputSchema), compiled once with ajv and read for
 * the constraints the probes bend. Formats are not validated (their dialects differ between
 * servers); a schema ajv cannot compile is treated as absent, so it never produces a finding.
 */
export type JsonSchema = Record<string, unknown>;

export interface Conformance {
  ok: boolean;
  /** Top-level input fields the errors point at (missing, unknown or invalid). */
  fields: string[];
  message: string;
}

export class SchemaValidators {
  private readonly draft7 = new Ajv({
    strict: false,
    validateFormats: false,
    allErrors: true,
    logger: false,
  });
  private readonly draft2020 = new Ajv2020({
    strict: false,
    validateFormats: false,
    allErrors: true,
    logger: false,
  });
  /**
   * By the schema's JSON text: every tick lists the same tools as new objects, so one instance shared
   * by the ticks of a process compiles each schema once (bounded: a server whose schemas keep
   * changing starts over at 1000).
   */
  private readonly compiled = new Map<string, ValidateFunction | null>();

  /** Does `value` conform? Null when the schema is absent or does not compile (no verdict). */
  check(schema: JsonSchema | undefined, value: unknown): Conformance | null {
    if (!schema) return null;
    const validate = this.compile(schema);
    if (!validate) return null;
    if (validate(value)) return { ok: true, fields: [], message: '' };
    const errors = validate.errors ?? [];
    return { ok: false, fields: offendingFields(errors), message: describe(errors) };
  }

  private compile(schema: JsonSchema): ValidateFunction | null {
    const key = JSON.stringify(schema);
    const cached = this.compiled.get(key);
    if (cached !== undefined) return cached;
    let validate: ValidateFunction | null;
    try {
      const is2020 = typeof schema.$schema === 'string' && /2019-09|2020-12/.test(schema.$schema);
      validate = is2020 ? this.draft2020.compile(schema) : this.draft7.compile(schema);
    } catch {
      validate = null;
    }
    if (this.compiled.size >= 1000) this.compiled.clear();
    this.compiled.set(key, validate);
    return validate;
  }
}

function offendingFields(errors: ErrorObject[]): string[] {
  const fields = new Set<string>();
  for (const e of errors) {
    const top = e.instancePath.split('/')[1];
    if (top) fields.add(decodeURIComponent(top.replace(/~1/g, '/').replace(/~0/g, '~')));
    else if (e.keyword === 'required') fields.add(String(e.params.missingProperty));
    else if (e.keyword === 'additionalProperties') fields.add(String(e.params.additionalProperty));
  }
  return [...fields];
}

function describe(errors: ErrorObject[]): string {
  return errors
    .slice(0, 3)
    .map((e) => `${e.instancePath || '(input)'} ${e.message ?? e.keyword}`)
    .join('; ');
}

/** One top-level property of an object schema: its non-null branch, and whether null is allowed. */
export interface PropertyInfo {
  name: string;
  schema: JsonSchema;
  nullable: boolean;
  required: boolean;
}

export function propertiesOf(schema: JsonSchema | undefined): PropertyInfo[] {
  const props = schema && isRow(schema.properties) ? schema.properties : {};
  const required = new Set(Array.isArray(schema?.required) ? (schema.required as string[]) : []);
  return Object.entries(props)
    .filter(([, s]) => isRow(s))
    .map(([name, s]) => ({ name, ...unwrapNullable(s as JsonSchema), required: required.has(name) }));
}

export function propertyOf(schema: JsonSchema | undefined, name: string): PropertyInfo | undefined {
  return propertiesOf(schema).find((p) => p.name === name);
}

function unwrapNullable(schema: JsonSchema): { schema: JsonSchema; nullable: boolean } {
  const union = (schema.anyOf ?? schema.oneOf) as unknown;
  if (Array.isArray(union)) {
    const branches = union.filter(isRow);
    const nonNull = branches.filter((b) => b.type !== 'null');
    const nullable = nonNull.length < branches.length;
    if (nonNull.length === 1) return { schema: { ...nonNull[0], default: schema.default }, nullable };
    return { schema, nullable };
  }
  if (Array.isArray(schema.type)) {
    const types = (schema.type as unknown[]).filter((t) => t !== 'null');
    const nullable = types.length < schema.type.length;
    return { schema: { ...schema, type: types.length === 1 ? types[0] : types }, nullable };
  }
  return {
    schema,
    nullable: schema.type === 'null' || (Array.isArray(schema.enum) && schema.enum.includes(null)),
  };
}

export function typeOf(schema: JsonSchema): string | undefined {
  return typeof schema.type === 'string' ? schema.type : undefined;
}

export function numberAt(schema: JsonSchema, key: string): number | undefined {
  const v = schema[key];
  return typeof v === 'number' && Number.isFinite(v) ? v : undefined;
}

/** Does the object schema refuse unknown properties? */
export function closed(schema: JsonSchema | undefined): boolean {
  return schema?.additionalProperties === false;
}

/** The row schema of the items of a list answer (`properties.items.items`), when declared. */
export function itemPropertyNames(outputSchema: JsonSchema | undefined, itemsPath: string): string[] | null {
  let node: unknown = outputSchema;
  for (const segment of itemsPath.split('.')) {
    node = isRow(node) && isRow(node.properties) ? node.properties[segment] : undefined;
  }
  const items = isRow(node) ? node.items : undefined;
  if (!isRow(items) || !isRow(items.properties)) return null;
  return Object.keys(items.properties);
}
