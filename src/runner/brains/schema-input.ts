import type { SeededRandom } from './seeded-random.js';

type Schema = Record<string, unknown>;

/**
 * Builds a tool input from the tool's own JSON Schema: every property the caller has a hint for is
 * used (when its type fits), every other required property is made up from the schema (enum,
 * format, bounds), optional properties without a hint are left out. This keeps the scripted brain
 * working whatever the exact field names of a module's tools are: it fills what the tool asks for.
 */
export function inputFromSchema(
  schema: Schema,
  hints: Record<string, unknown>,
  rng: SeededRandom,
  today: string,
): Record<string, unknown> {
  const properties = asRecord(schema.properties) ?? {};
  const required = new Set(Array.isArray(schema.required) ? (schema.required as string[]) : []);
  const out: Record<string, unknown> = {};
  for (const [key, raw] of Object.entries(properties)) {
    const prop = resolve(asRecord(raw) ?? {});
    const hint = hints[key];
    if (hint !== undefined && fits(hint, prop)) out[key] = fitTo(hint, prop);
    else if (required.has(key)) out[key] = synthesize(prop, key, rng, today);
  }
  return out;
}

/** A value that satisfies a (simple) JSON Schema; used for required fields nobody gave a hint for. */
export function synthesize(schema: Schema, key: string, rng: SeededRandom, today: string): unknown {
  const s = resolve(schema);
  if ('const' in s) return s.const;
  if (Array.isArray(s.enum) && s.enum.length > 0) return s.enum[0];
  if (s.default !== undefined) return s.default;
  const type = typeOf(s);
  switch (type) {
    case 'string': {
      if (s.format === 'date') return today;
      if (s.format === 'date-time') return `${today}T12:00:00Z`;
      if (s.format === 'uuid') return rng.uuid();
      if (s.format === 'email') return `someone.${rng.int(100, 999)}@example.com`;
      const min = typeof s.minLength === 'number' ? s.minLength : 1;
      const max = typeof s.maxLength === 'number' ? s.maxLength : 80;
      const base = key.replace(/([A-Z])/g, ' $1').toLowerCase();
      return base.padEnd(min, '.').slice(0, Math.max(min, Math.min(max, base.length)));
    }
    case 'integer':
    case 'number': {
      const min = typeof s.minimum === 'number' ? s.minimum : 1;
      const max = typeof s.maximum === 'number' ? s.maximum : Math.max(min, 5);
      const mid = min + Math.floor((max - min) / 2);
      return type === 'integer' ? Math.round(mid) : mid;
    }
    case 'boolean':
      return false;
    case 'array': {
      const items = asRecord(s.items) ?? {};
      const min = typeof s.minItems === 'number' ? s.minItems : 0;
      return Array.from({ length: min }, () => synthesize(items, key, rng, today));
    }
    case 'object':
      return inputFromSchema(s, {}, rng, today);
    default:
      return null;
  }
}

/** The first non-null branch of anyOf/oneOf (zod's optional/nullable come out that way). */
function resolve(schema: Schema): Schema {
  for (const key of ['anyOf', 'oneOf'] as const) {
    const branches = schema[key];
    if (Array.isArray(branches)) {
      const usable = branches.map(asRecord).find((b) => b && b.type !== 'null');
      if (usable) return { ...schema, ...usable, [key]: undefined };
    }
  }
  return schema;
}

function typeOf(schema: Schema): string | undefined {
  const type = schema.type;
  if (Array.isArray(type)) return type.find((t) => t !== 'null') as string | undefined;
  return typeof type === 'string' ? type : undefined;
}

function fits(value: unknown, schema: Schema): boolean {
  const type = typeOf(schema);
  if (Array.isArray(schema.enum) && !schema.enum.includes(value)) return false;
  switch (type) {
    case undefined:
      return true;
    case 'string':
      return typeof value === 'string';
    case 'integer':
    case 'number':
      return typeof value === 'number';
    case 'boolean':
      return typeof value === 'boolean';
    case 'array':
      return Array.isArray(value);
    case 'object':
      return typeof value === 'object' && value !== null && !Array.isArray(value);
    default:
      return false;
  }
}

/** Keeps a fitting hint inside the schema's bounds (a too-long text is cut, a number clamped). */
function fitTo(value: unknown, schema: Schema): unknown {
  if (typeof value === 'string' && typeof schema.maxLength === 'number' && value.length > schema.maxLength) {
    return value.slice(0, schema.maxLength);
  }
  if (typeof value === 'number') {
    let n = value;
    if (typeof schema.minimum === 'number') n = Math.max(schema.minimum, n);
    if (typeof schema.maximum === 'number') n = Math.min(schema.maximum, n);
    return typeOf(schema) === 'integer' ? Math.round(n) : n;
  }
  if (Array.isArray(value) && typeof schema.maxItems === 'number') return value.slice(0, schema.maxItems);
  return value;
}

function asRecord(value: unknown): Schema | undefined {
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Schema) : undefined;
}
