import fc from 'fast-check';
import type { BrainTool } from '../brains/brain.js';
import type { EchoRule } from '../../tool-contract/tool-semantics.js';
import { closed, numberAt, propertiesOf, typeOf } from './json-schema.js';
import type { PropertyInfo, SchemaValidators } from './json-schema.js';
import { hashSeed, sameJson } from './values.js';
import type { Row } from './values.js';

/**
 * Inputs generated from a tool's JSON input schema, each a known-good input of the persona's with
 * ONE top-level field changed: `invalid` (outside a declared constraint: must be refused, naming the
 * field), `null-optional` (null where the schema does not allow it: refused cleanly), `boundary`
 * (exactly at a declared bound: must be accepted), `omit-optional` (an optional field left out:
 * accepted) and `padded` (a field the tool declares it trims, sent with spaces around it: accepted,
 * and the echo check wants it back trimmed). A case is kept only when ajv agrees with its kind, so a schema's own dialect never
 * turns into a finding. Values come from fast-check with a seed, so a tick's probes are repeatable.
 */
export type ProbeKind = 'invalid' | 'null-optional' | 'boundary' | 'omit-optional' | 'padded';

export interface ProbeCase {
  kind: ProbeKind;
  field: string;
  input: Row;
  /** What was changed, as the finding shows it. */
  what: string;
}

/** Letters of the Basic Multilingual Plane without whitespace or surrogates: code points == UTF-16 units. */
export const BOUNDARY_ALPHABET = ['a', 'Z', 'é', '中', 'ß', 'ø', '0'];
const INT32 = 2_147_483_647;
const EXTRA_FIELD = 'zzUnexpectedField';

export function probeCases(
  tool: BrainTool,
  knownGood: Row,
  validators: SchemaValidators,
  seed: string,
): ProbeCase[] {
  if (!validators.check(tool.inputSchema, knownGood)?.ok) return [];
  const idInput = tool.semantics?.idInput;
  const props = propertiesOf(tool.inputSchema).filter((p) => p.name !== idInput);
  let n = 0;
  const next = () => hashSeed(`${seed}:${tool.name}:${(n += 1)}`);
  const cases: ProbeCase[] = [];
  const add = (kind: ProbeKind, field: string, value: unknown, what: string) => {
    const input = { ...knownGood };
    if (value === OMIT) delete input[field];
    else input[field] = value;
    if (value !== OMIT && sameJson(knownGood[field], value)) return;
    cases.push({ kind, field, input, what });
  };
  for (const p of props) {
    for (const [value, what] of invalidValues(p, knownGood[p.name], next))
      add('invalid', p.name, value, what);
    if (!p.required && !p.nullable) add('null-optional', p.name, null, `${p.name} null`);
    for (const [value, what] of boundaryValues(p, next)) add('boundary', p.name, value, what);
    if (
      !p.required &&
      knownGood[p.name] !== undefined &&
      keepsAnotherOptional(props, knownGood, p, !!idInput)
    ) {
      add('omit-optional', p.name, OMIT, `${p.name} left out`);
    }
  }
  if (closed(tool.inputSchema)) add('invalid', EXTRA_FIELD, 1, `an unknown field ${EXTRA_FIELD}`);
  for (const rule of tool.semantics?.echo ?? []) {
    const padded = paddedValue(rule, knownGood[rule.input]);
    if (padded !== undefined) add('padded', rule.input, padded, `${rule.input} with spaces around it`);
  }
  return cases.filter((c) => {
    const ok = validators.check(tool.inputSchema, c.input)?.ok;
    return c.kind === 'invalid' || c.kind === 'null-optional' ? ok === false : ok === true;
  });
}

/** A trimmed text (or list of texts) with spaces around it; undefined when the rule trims nothing. */
function paddedValue(rule: EchoRule, good: unknown): unknown {
  const pad = (text: string) => `  ${text.trim()} `;
  if (rule.compare === 'text' && typeof good === 'string' && good.trim() !== '') return pad(good);
  if (
    rule.compare === 'items' &&
    Array.isArray(good) &&
    good.length > 0 &&
    good.every((item) => typeof item === 'string' && item.trim() !== '')
  )
    return good.map((item) => pad(item as string));
  return undefined;
}

/** Picks at most one refusal, one acceptance and one padded case, deterministically from the seed. */
export function pickCases(cases: ProbeCase[], seed: string, tool: string, max: number): ProbeCase[] {
  const refusals = cases.filter((c) => c.kind === 'invalid' || c.kind === 'null-optional');
  const accepts = cases.filter((c) => c.kind === 'boundary' || c.kind === 'omit-optional');
  const padded = cases.filter((c) => c.kind === 'padded');
  const picked: ProbeCase[] = [];
  for (const [i, group] of [refusals, accepts, padded].entries()) {
    if (group.length === 0) continue;
    const [index] = fc.sample(fc.nat({ max: group.length - 1 }), {
      seed: hashSeed(`${seed}:${tool}:pick${i}`),
      numRuns: 1,
    });
    picked.push(group[index]);
  }
  return picked.slice(0, Math.max(0, max));
}

const OMIT = Symbol('omit');

/** An update needs something to change: leave a field out only when another optional one stays. */
function keepsAnotherOptional(props: PropertyInfo[], good: Row, p: PropertyInfo, byId: boolean): boolean {
  if (!byId) return true;
  return props.some((q) => q.name !== p.name && !q.required && good[q.name] !== undefined);
}

function letters(length: number, seed: number): string {
  const [s] = fc.sample(
    fc.string({ unit: fc.constantFrom(...BOUNDARY_ALPHABET), minLength: length, maxLength: length }),
    { seed, numRuns: 1 },
  );
  return s;
}

function plainString(schema: Row): boolean {
  return (
    schema.pattern === undefined &&
    schema.format === undefined &&
    schema.enum === undefined &&
    schema.const === undefined
  );
}

function invalidValues(p: PropertyInfo, good: unknown, seed: () => number): Array<[unknown, string]> {
  const s = p.schema;
  const out: Array<[unknown, string]> = [];
  const type = typeOf(s);
  if (type === 'string') {
    const max = numberAt(s, 'maxLength');
    const min = numberAt(s, 'minLength');
    if (max !== undefined && max < 50_000) {
      const [extra] = fc.sample(fc.integer({ min: 1, max: 3 }), { seed: seed(), numRuns: 1 });
      out.push([letters(max + extra, seed()), `${p.name} of ${max + extra} characters (max ${max})`]);
    }
    if (min !== undefined && min >= 1)
      out.push([letters(min - 1, seed()), `${p.name} of ${min - 1} characters (min ${min})`]);
    if (Array.isArray(s.enum))
      out.push([
        `zz-not-${(s.enum as unknown[]).map(String).join('-').slice(0, 20)}`,
        `${p.name} not one of its values`,
      ]);
    out.push([12345, `${p.name} a number (a string is expected)`]);
  } else if (type === 'integer' || type === 'number') {
    const max = numberAt(s, 'maximum');
    const min = numberAt(s, 'minimum');
    if (max !== undefined && Math.abs(max) < INT32)
      out.push([max + 1, `${p.name} ${max + 1} (maximum ${max})`]);
    if (min !== undefined && Math.abs(min) < INT32)
      out.push([min - 1, `${p.name} ${min - 1} (minimum ${min})`]);
    if (type === 'integer') {
      const low = min !== undefined && Math.abs(min) < INT32 ? min : 0;
      out.push([low + 0.5, `${p.name} ${low + 0.5} (an integer is expected)`]);
    }
    out.push(['12', `${p.name} "12" (a number is expected)`]);
  } else if (type === 'boolean') {
    out.push(['yes', `${p.name} "yes" (a boolean is expected)`]);
  } else if (type === 'array') {
    const maxItems = numberAt(s, 'maxItems');
    if (maxItems !== undefined && maxItems < 1000 && Array.isArray(good) && good.length > 0) {
      out.push([
        Array.from({ length: maxItems + 1 }, () => good[0]),
        `${p.name} with ${maxItems + 1} items (max ${maxItems})`,
      ]);
    }
    out.push(['x', `${p.name} "x" (an array is expected)`]);
  } else if (type === 'object') {
    out.push(['x', `${p.name} "x" (an object is expected)`]);
  }
  return out;
}

function boundaryValues(p: PropertyInfo, seed: () => number): Array<[unknown, string]> {
  const s = p.schema;
  const out: Array<[unknown, string]> = [];
  const type = typeOf(s);
  if (type === 'string' && plainString(s)) {
    const max = numberAt(s, 'maxLength');
    if (max !== undefined && max >= 1 && max <= 20_000)
      out.push([letters(max, seed()), `${p.name} of exactly ${max} characters`]);
  } else if ((type === 'integer' || type === 'number') && s.enum === undefined) {
    for (const key of ['minimum', 'maximum']) {
      const bound = numberAt(s, key);
      if (bound !== undefined && Math.abs(bound) < INT32)
        out.push([bound, `${p.name} ${bound} (its ${key})`]);
    }
  } else if (type === 'array' && !p.required && !numberAt(s, 'minItems')) {
    out.push([[], `${p.name} empty`]);
  }
  return out;
}
