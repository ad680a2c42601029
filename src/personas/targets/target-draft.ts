import {
  envNameProblem,
  headerNameProblem,
  headerValueProblem,
  httpUrlProblem,
  splitCommandLine,
} from '../../tool-contract/mcp-target.js';
import { SemanticsFileError, parseSemanticsDocument } from '../../tool-contract/semantics-document.js';
import type { SemanticsDocument } from '../../tool-contract/semantics-document.js';
import type { TargetDraft, TargetKind, TargetSecrets } from './target.types.js';

export const TARGET_LIMITS = {
  name: 100,
  url: 2048,
  command: 4096,
  args: 200,
  arg: 4096,
  headers: 50,
  headerValue: 8192,
  env: 100,
  envValue: 32_768,
} as const;

/**
 * Headers the MCP client's transport writes itself (content negotiation, the session, the protocol
 * version, framing): a target that set them would break every session, so they are refused.
 */
const TRANSPORT_HEADERS = new Set([
  'accept',
  'connection',
  'content-length',
  'content-type',
  'host',
  'last-event-id',
  'mcp-protocol-version',
  'mcp-session-id',
  'transfer-encoding',
]);

const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/**
 * Why `value` cannot be the header map `field` (`headers`, `targetHeaders`), or undefined. Names the
 * field and the header, never a value: values are secrets.
 */
export function headerMapProblem(field: string, value: unknown): string | undefined {
  if (!isRecord(value)) return `${field} must be an object of header name → value`;
  const entries = Object.entries(value);
  if (entries.length > TARGET_LIMITS.headers)
    return `${field} may hold at most ${TARGET_LIMITS.headers} headers`;
  const seen = new Map<string, string>();
  for (const [name, v] of entries) {
    const nameProblem = headerNameProblem(name);
    if (nameProblem) return `${field}: ${nameProblem}`;
    const lower = name.toLowerCase();
    if (TRANSPORT_HEADERS.has(lower))
      return `${field}: "${name}" is written by the MCP transport itself and cannot be set`;
    const twin = seen.get(lower);
    if (twin !== undefined) return `${field}: "${twin}" and "${name}" name the same header`;
    seen.set(lower, name);
    if (typeof v !== 'string') return `${field}: the value of header "${name}" must be a string`;
    if (v.length > TARGET_LIMITS.headerValue)
      return `${field}: the value of header "${name}" is longer than ${TARGET_LIMITS.headerValue} characters`;
    const valueProblem = headerValueProblem(name, v);
    if (valueProblem) return `${field}: ${valueProblem}`;
  }
  return undefined;
}

/** Why `value` cannot be the environment map `field`, or undefined (never quoting a value). */
export function envMapProblem(field: string, value: unknown): string | undefined {
  if (!isRecord(value)) return `${field} must be an object of variable name → value`;
  const entries = Object.entries(value);
  if (entries.length > TARGET_LIMITS.env) return `${field} may hold at most ${TARGET_LIMITS.env} variables`;
  for (const [name, v] of entries) {
    const nameProblem = envNameProblem(name);
    if (nameProblem) return `${field}: ${nameProblem}`;
    if (typeof v !== 'string') return `${field}: the value of ${name} must be a string`;
    if (v.length > TARGET_LIMITS.envValue)
      return `${field}: the value of ${name} is longer than ${TARGET_LIMITS.envValue} characters`;
  }
  return undefined;
}

/** Why `value` cannot be a target's `url`, or undefined. */
export function targetUrlProblem(value: unknown): string | undefined {
  if (typeof value !== 'string') return 'url must be a string';
  if (value.length > TARGET_LIMITS.url) return `url must be at most ${TARGET_LIMITS.url} characters`;
  const problem = httpUrlProblem(value);
  return problem ? `url ${problem}` : undefined;
}

/** Why `value` cannot be a target's `semantics` (a semantics document or null), or undefined. */
export function semanticsProblem(value: unknown): string | undefined {
  if (value === null) return undefined;
  try {
    parseSemanticsDocument(value, 'semantics');
    return undefined;
  } catch (error) {
    if (error instanceof SemanticsFileError) return error.message;
    throw error;
  }
}

/** The fields of a create body or a PATCH, typed by the DTOs (each field's own rule already held). */
export interface TargetFields {
  name?: string;
  kind?: TargetKind;
  url?: string;
  command?: string;
  args?: string[];
  headers?: Record<string, string> | null;
  env?: Record<string, string> | null;
  semantics?: SemanticsDocument | null;
}

/** A stored target as PATCH starts from: its fields and its secrets, opened. */
export type TargetState = Omit<TargetDraft, 'kind'> & { kind: TargetKind };

/** The draft of a new target, or why not (a message naming the field). */
export function draftFromCreate(body: TargetFields): TargetDraft | string {
  if (body.name === undefined) return 'name is required';
  if (body.kind === undefined) return 'kind is required: http or stdio';
  const empty: TargetState = {
    name: body.name,
    kind: body.kind,
    url: null,
    command: null,
    args: [],
    headers: {},
    env: {},
    semantics: null,
  };
  return merge(empty, body);
}

/**
 * A target after a PATCH, or why not. Given fields replace (headers and env as whole maps), `null`
 * clears, omitted fields are kept; a changed `kind` drops what belonged to the old kind, so the
 * new kind's fields must come with it.
 */
export function draftFromPatch(current: TargetState, patch: TargetFields): TargetDraft | string {
  const kind = patch.kind ?? current.kind;
  const base: TargetState =
    kind === current.kind
      ? current
      : { ...current, kind, url: null, command: null, args: [], headers: {}, env: {} };
  return merge(base, patch);
}

function merge(base: TargetState, given: TargetFields): TargetDraft | string {
  const kind = given.kind ?? base.kind;
  const misplaced =
    kind === 'http'
      ? (['command', 'args', 'env'] as const).find((f) => given[f] !== undefined && given[f] !== null)
      : (['url', 'headers'] as const).find((f) => given[f] !== undefined && given[f] !== null);
  if (misplaced) return `${misplaced} is only for ${kind === 'http' ? 'stdio' : 'http'} targets`;
  const secrets: TargetSecrets = {
    headers: given.headers === undefined ? base.headers : (given.headers ?? {}),
    env: given.env === undefined ? base.env : (given.env ?? {}),
  };
  const draft: TargetDraft = {
    name: (given.name ?? base.name).trim(),
    kind,
    url: given.url ?? base.url,
    command: base.command,
    args: given.args ?? base.args,
    semantics: given.semantics === undefined ? base.semantics : given.semantics,
    ...secrets,
  };
  if (given.command !== undefined) {
    if (given.args !== undefined) {
      draft.command = given.command;
    } else {
      // one command line: split as a shell would, started without one
      const words = splitCommandLine(given.command);
      if (typeof words === 'string') return `command: ${words}`;
      [draft.command, ...draft.args] = words;
    }
  }
  if (draft.name === '') return 'name must not be blank';
  if (kind === 'http' && draft.url === null) return 'url is required for an http target';
  if (kind === 'stdio' && (draft.command === null || draft.command.trim() === ''))
    return 'command is required for a stdio target';
  if (draft.args.length > TARGET_LIMITS.args) return `args may hold at most ${TARGET_LIMITS.args} words`;
  return draft;
}
