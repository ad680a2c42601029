import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { Ajv } from 'ajv';
import type { ErrorObject, ValidateFunction } from 'ajv';
import type { ModuleMix, TickCadence } from '../schedule/persona-schedule.types.js';
import { isTimeZone } from '../schedule/persona-timezone.js';

export const DEFAULT_CATALOG_PATH = 'catalog/personas.json';
export const DEFAULT_CATALOG_SCHEMA_PATH = 'catalog/personas.schema.json';

export interface CatalogPersona {
  email: string;
  name: string;
  archetype: string;
  systemPrompt: string;
  moduleMix: ModuleMix;
  tickCadence: TickCadence;
  timezone: string;
  /**
   * The persona opts into the destructive tools (user_settings.destructive_tools_enabled), as a user
   * would in its settings; seeding sets it. Absent: false.
   */
  destructiveTools?: boolean;
}

export type SharedSpaceType = 'family' | 'team' | 'practice' | 'brand' | 'club';

/** A space two or more catalog personas share; the owner creates it and adds the members. */
export interface CatalogSpace {
  name: string;
  type: SharedSpaceType;
  owner: string;
  members: string[];
  /** Why these personas share a space (kept in the file for the reader). */
  why: string;
}

export interface PersonaCatalog {
  version: 1;
  personas: CatalogPersona[];
  spaces: CatalogSpace[];
}

export interface CatalogOptions {
  /** The JSON Schema to validate against (default catalog/personas.schema.json, from the working directory). */
  schemaPath?: string;
  /** When given, every moduleMix key must be one of its modules. */
  registry?: { modules(): string[] };
  /** When given, every persona email must be at this domain. */
  emailDomain?: string;
}

/** A catalog that does not validate; every problem names its entry and field. */
export class CatalogError extends Error {
  constructor(
    readonly source: string,
    readonly problems: string[],
  ) {
    super(`Invalid persona catalog ${source}:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'CatalogError';
  }
}

const validators = new Map<string, ValidateFunction>();

function schemaValidator(schemaPath: string): ValidateFunction {
  const path = resolve(schemaPath);
  let validate = validators.get(path);
  if (!validate) {
    const schema: unknown = JSON.parse(readFileSync(path, 'utf8'));
    validate = new Ajv({ allErrors: true, strict: true }).compile(schema as object);
    validators.set(path, validate);
  }
  return validate;
}

/** Reads and validates the catalog file; throws CatalogError naming entry and field of each problem. */
export function loadCatalog(path = DEFAULT_CATALOG_PATH, options: CatalogOptions = {}): PersonaCatalog {
  let text: string;
  try {
    text = readFileSync(resolve(path), 'utf8');
  } catch (error) {
    throw new CatalogError(path, [`cannot be read: ${(error as Error).message}`]);
  }
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (error) {
    throw new CatalogError(path, [`is not valid JSON: ${(error as Error).message}`]);
  }
  return validateCatalog(data, options, path);
}

/** Validates parsed catalog data: the JSON Schema first, then what a schema cannot say. */
export function validateCatalog(
  data: unknown,
  options: CatalogOptions = {},
  source = 'catalog',
): PersonaCatalog {
  const validate = schemaValidator(options.schemaPath ?? DEFAULT_CATALOG_SCHEMA_PATH);
  if (!validate(data)) {
    throw new CatalogError(
      source,
      (validate.errors ?? [])
        // a bad property name is reported twice (the inner pattern, then propertyNames): keep the second
        .filter((e) => (e as { propertyName?: string }).propertyName === undefined)
        .map((e) => describeSchemaError(e, data)),
    );
  }
  const catalog = data as PersonaCatalog;
  const problems = crossCheck(catalog, options);
  if (problems.length > 0) throw new CatalogError(source, problems);
  return catalog;
}

function crossCheck(catalog: PersonaCatalog, options: CatalogOptions): string[] {
  const problems: string[] = [];
  const known = options.registry ? new Set(options.registry.modules()) : undefined;
  const firstIndex = new Map<string, number>();
  catalog.personas.forEach((p, i) => {
    const at = `personas[${i}] (${p.email})`;
    const earlier = firstIndex.get(p.email);
    if (earlier !== undefined) problems.push(`${at}.email: duplicate of personas[${earlier}]`);
    else firstIndex.set(p.email, i);
    if (options.emailDomain && !p.email.endsWith(`@${options.emailDomain}`)) {
      problems.push(`${at}.email: must be at the persona domain @${options.emailDomain}`);
    }
    if (!Object.values(p.moduleMix).some((w) => w > 0)) {
      problems.push(`${at}.moduleMix: needs at least one module with a weight above 0`);
    }
    if (known) {
      for (const module of Object.keys(p.moduleMix)) {
        if (!known.has(module)) problems.push(`${at}.moduleMix.${module}: unknown module`);
      }
    }
    if (!isTimeZone(p.timezone)) problems.push(`${at}.timezone: "${p.timezone}" is not an IANA time zone`);
  });
  const spaceKeys = new Map<string, number>();
  catalog.spaces.forEach((s, i) => {
    const at = `spaces[${i}] (${s.name})`;
    const key = `${s.owner}|${s.type}|${s.name}`;
    const earlier = spaceKeys.get(key);
    if (earlier !== undefined) problems.push(`${at}: duplicate of spaces[${earlier}]`);
    else spaceKeys.set(key, i);
    if (!firstIndex.has(s.owner)) problems.push(`${at}.owner: ${s.owner} is not a persona of the catalog`);
    s.members.forEach((member, j) => {
      if (member === s.owner) problems.push(`${at}.members[${j}]: ${member} is the owner already`);
      else if (!firstIndex.has(member))
        problems.push(`${at}.members[${j}]: ${member} is not a persona of the catalog`);
    });
  });
  return problems;
}

/** `/personas/3/moduleMix/todoo` → `personas[3] (persona.ben@mana.test).moduleMix.todoo`. */
function location(segments: string[], data: unknown): string {
  let out = '';
  let node: unknown = data;
  segments.forEach((seg, i) => {
    const child = node && typeof node === 'object' ? (node as Record<string, unknown>)[seg] : undefined;
    if (/^\d+$/.test(seg)) {
      out += `[${seg}]`;
      const parent = segments[i - 1];
      const label =
        parent === 'personas' && i === 1
          ? (child as { email?: unknown } | undefined)?.email
          : parent === 'spaces' && i === 1
            ? (child as { name?: unknown } | undefined)?.name
            : undefined;
      if (typeof label === 'string') out += ` (${label})`;
    } else {
      out += out ? `.${seg}` : seg;
    }
    node = child;
  });
  return out || '(root)';
}

function describeSchemaError(e: ErrorObject, data: unknown): string {
  const segments = e.instancePath
    .split('/')
    .slice(1)
    .map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'));
  const params = e.params as Record<string, unknown>;
  const at = (extra?: unknown) => {
    const base = location(segments, data);
    if (typeof extra !== 'string') return base;
    return base === '(root)' ? extra : `${base}.${extra}`;
  };
  switch (e.keyword) {
    case 'required':
      return `${at(params.missingProperty)}: is required`;
    case 'additionalProperties':
      return `${at(params.additionalProperty)}: is not allowed`;
    case 'propertyNames':
      return `${at(params.propertyName)}: is not a valid name (lower-case letters, digits, '_')`;
    case 'enum':
      return `${at()}: must be one of ${(params.allowedValues as unknown[]).join(', ')}`;
    default:
      return `${at()}: ${e.message ?? 'is not valid'}`;
  }
}
