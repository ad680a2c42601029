import type { SeededRandom } from '../seeded-random.js';

type Schema = Record<string, unknown>;

const isSchema = (value: unknown): value is Schema =>
  value !== null && typeof value === 'object' && !Array.isArray(value);

/** What a made-up value draws on: the persona's dice, words in its voice, its marker, today. */
export interface ValueSource {
  rng: SeededRandom;
  /** Short texts in the persona's voice (a task, a topic, a note title). */
  words: readonly string[];
  /**
   * A short mark of the persona (`p-3fa2c1`) put into every text it makes up: several personas
   * sharing one server each know their own rows by it.
   */
  marker: string;
  /** The persona's local date, `YYYY-MM-DD`. */
  today: string;
  /**
   * Texts the persona wrote earlier today: a free-text field takes one of them now and then (a
   * search for what it noted, the name of what it made), so reads and changes meet its own rows.
   */
  recall?: readonly string[];
}

const MAX_DEPTH = 4;

/**
 * An input that the tool's input schema accepts, made up the way a user of an unknown tool would
 * fill a form: every required field, and each optional one now and then (`optionalChance`).
 * Answers undefined when the schema asks for something that cannot be made without guessing (a
 * pattern, a `not`, a format it does not know): the persona leaves that tool alone.
 */
export function inputFor(schema: Schema, source: ValueSource, optionalChance = 0.35): Schema | undefined {
  const value = valueFor(schema, source, optionalChance, 0);
  return isSchema(value) ? value : undefined;
}

function valueFor(schema: Schema, source: ValueSource, optionalChance: number, depth: number): unknown {
  if (depth > MAX_DEPTH) return undefined;
  if ('const' in schema) return schema.const;
  if (Array.isArray(schema.enum)) {
    const options = schema.enum.filter((v) => v !== null);
    return options.length > 0 ? source.rng.pick(options) : undefined;
  }
  if (schema.not !== undefined || schema.if !== undefined) return undefined;
  const union = (schema.anyOf ?? schema.oneOf) as unknown;
  if (Array.isArray(union)) {
    const branches = union.filter(isSchema).filter((b) => b.type !== 'null');
    for (const branch of branches) {
      const value = valueFor(branch, source, optionalChance, depth + 1);
      if (value !== undefined) return value;
    }
    return undefined;
  }
  if (Array.isArray(schema.allOf)) return undefined;
  const types = Array.isArray(schema.type) ? schema.type.filter((t) => t !== 'null') : [schema.type];
  const type = typeof types[0] === 'string' ? types[0] : isSchema(schema.properties) ? 'object' : undefined;
  switch (type) {
    case 'object':
      return objectFor(schema, source, optionalChance, depth);
    case 'array':
      return arrayFor(schema, source, optionalChance, depth);
    case 'string':
      return stringFor(schema, source);
    case 'integer':
    case 'number':
      return numberFor(schema, source, type === 'integer');
    case 'boolean':
      return source.rng.chance(0.5);
    default:
      return undefined;
  }
}

function objectFor(schema: Schema, source: ValueSource, optionalChance: number, depth: number): unknown {
  const properties = isSchema(schema.properties) ? schema.properties : {};
  const required = new Set(Array.isArray(schema.required) ? (schema.required as string[]) : []);
  const out: Schema = {};
  for (const [name, property] of Object.entries(properties).sort(([a], [b]) => a.localeCompare(b))) {
    if (!isSchema(property)) continue;
    const needed = required.has(name);
    if (!needed && !source.rng.chance(optionalChance)) continue;
    const value = valueFor(property, source, optionalChance, depth + 1);
    if (value === undefined) {
      if (needed) return undefined;
      continue;
    }
    out[name] = value;
  }
  // a required name with no property schema: nothing to make it from
  for (const name of required) if (!(name in out)) return undefined;
  return out;
}

function arrayFor(schema: Schema, source: ValueSource, optionalChance: number, depth: number): unknown {
  const items = isSchema(schema.items) ? schema.items : undefined;
  const min = typeof schema.minItems === 'number' ? schema.minItems : 0;
  const max = typeof schema.maxItems === 'number' ? schema.maxItems : Math.max(min, 2);
  const count = Math.min(Math.max(min, 1), max);
  if (!items) return count === 0 ? [] : undefined;
  const out: unknown[] = [];
  for (let i = 0; i < count; i += 1) {
    const value = valueFor(items, source, optionalChance, depth + 1);
    if (value === undefined) return undefined;
    out.push(value);
  }
  return out;
}

function stringFor(schema: Schema, source: ValueSource): string | undefined {
  if (schema.pattern !== undefined) return undefined;
  const min = typeof schema.minLength === 'number' ? schema.minLength : 0;
  const max = typeof schema.maxLength === 'number' ? schema.maxLength : 200;
  const tag = source.marker;
  let text: string;
  const recalled = (source.recall ?? []).filter((t) => t.length >= min && t.length <= max);
  switch (schema.format) {
    case undefined:
      if (recalled.length > 0 && source.rng.chance(0.7)) return source.rng.pick(recalled);
      text = `${source.rng.pick(source.words.length > 0 ? source.words : ['a note'])} ${tag}`;
      break;
    case 'date':
      text = source.today;
      break;
    case 'date-time':
      text = `${source.today}T12:00:00.000Z`;
      break;
    case 'email':
      text = `${tag}@example.com`;
      break;
    case 'uri':
    case 'url':
      text = `https://example.com/${tag}`;
      break;
    case 'uuid':
      text = source.rng.uuid();
      break;
    default:
      return undefined;
  }
  if (text.length > max) {
    // keep the marker: the words give way first
    text = schema.format === undefined ? `${tag} ${text}`.slice(0, max).trimEnd() : text;
    if (text.length > max) return undefined;
  }
  while (text.length < min) text += ` ${tag}`;
  return text.length <= max ? text : text.slice(0, max);
}

function numberFor(schema: Schema, source: ValueSource, integer: boolean): number | undefined {
  const exclusiveMin = typeof schema.exclusiveMinimum === 'number' ? schema.exclusiveMinimum : undefined;
  const exclusiveMax = typeof schema.exclusiveMaximum === 'number' ? schema.exclusiveMaximum : undefined;
  let min =
    typeof schema.minimum === 'number' ? schema.minimum : exclusiveMin !== undefined ? exclusiveMin + 1 : 1;
  let max =
    typeof schema.maximum === 'number'
      ? schema.maximum
      : exclusiveMax !== undefined
        ? exclusiveMax - 1
        : min + 9;
  if (integer) {
    min = Math.ceil(min);
    max = Math.floor(max);
  }
  if (max < min) return undefined;
  const value = integer
    ? source.rng.int(min, Math.min(max, min + 9))
    : min + (Math.min(max, min + 9) - min) * source.rng.next();
  const step = typeof schema.multipleOf === 'number' ? schema.multipleOf : undefined;
  if (step === undefined) return value;
  const snapped = Math.ceil(min / step) * step;
  return snapped <= max ? snapped : undefined;
}
