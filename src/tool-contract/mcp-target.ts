import type { PublishedToolSemantics } from './tool-semantics.js';

/**
 * What the personas test: the app inside this server (the default), or an external MCP server over
 * Streamable HTTP (a URL and the headers it wants: a bearer token, an API key) or over stdio (a
 * command started per persona session and stopped after, with its environment). Header and
 * environment values are secrets: they go to the server and nowhere else (never logged, never
 * answered). The personas module stores targets and the runner plays them, so the shape and the
 * rules for its parts live here, below both.
 */
export type Target = BuiltInTarget | HttpTarget | StdioTarget;

export interface BuiltInTarget {
  kind: 'built-in';
}

export interface HttpTarget {
  kind: 'http';
  url: string;
  headers: Record<string, string>;
  /** Declarations for the server's tools (a semantics file), by tool name. */
  semantics?: Record<string, PublishedToolSemantics>;
}

export interface StdioTarget {
  kind: 'stdio';
  command: string;
  args: string[];
  env: Record<string, string>;
  semantics?: Record<string, PublishedToolSemantics>;
}

export const BUILT_IN_TARGET: BuiltInTarget = { kind: 'built-in' };

/** RFC 9110 token characters: what a header name may be made of. */
const HEADER_NAME = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;
/** A name a process environment takes from `NAME=value` without surprises. */
export const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** Why `name` cannot be a header name, or undefined when it can. */
export function headerNameProblem(name: string): string | undefined {
  return HEADER_NAME.test(name) ? undefined : `"${name}" is not a valid header name`;
}

/** Why `value` cannot be sent as header `name` (never quoting the value: it is a secret). */
export function headerValueProblem(name: string, value: string): string | undefined {
  return /[\r\n\0]/.test(value) ? `the value of header "${name}" contains a line break` : undefined;
}

/** Why `name` cannot be an environment variable name, or undefined when it can. */
export function envNameProblem(name: string): string | undefined {
  return ENV_NAME.test(name) ? undefined : `"${name}" is not an environment variable name (A-Z, a-z, 0-9, _)`;
}

/** Why `text` cannot be an MCP server's Streamable HTTP address, or undefined when it can. */
export function httpUrlProblem(text: string): string | undefined {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    return 'is not a URL';
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return 'is not an http(s) URL';
  // the address is answered and logged; credentials belong in a header, where they stay secret
  if (url.username !== '' || url.password !== '') return 'must not carry credentials (user:password@)';
  return undefined;
}

/** A header line as a user writes it (`Authorization: Bearer abc`): its name and value, or why not. */
export function parseHeaderLine(line: string): { name: string; value: string } | string {
  const colon = line.indexOf(':');
  if (colon <= 0) return `"${line}" is not a header line: write "Name: value"`;
  const name = line.slice(0, colon).trim();
  const value = line.slice(colon + 1).trim();
  const problem = headerNameProblem(name) ?? headerValueProblem(name, value);
  return problem ?? { name, value };
}

/** `NAME=value` for a stdio server's environment: its name and value, or why not. */
export function parseEnvAssignment(text: string): { name: string; value: string } | string {
  const eq = text.indexOf('=');
  const name = eq > 0 ? text.slice(0, eq) : '';
  if (!ENV_NAME.test(name)) return `"${text}" is not NAME=value`;
  return { name, value: text.slice(eq + 1) };
}

/**
 * A command line split into words as a shell would for the simple cases: whitespace separates,
 * single and double quotes group, a backslash escapes the next character (outside single quotes).
 * No variables, globs or pipes: the command is started directly, never through a shell.
 */
export function splitCommandLine(line: string): string[] | string {
  const words: string[] = [];
  let word = '';
  let inWord = false;
  let quote: '"' | "'" | null = null;
  for (let i = 0; i < line.length; i += 1) {
    const c = line[i];
    if (quote) {
      if (c === quote) quote = null;
      else if (c === '\\' && quote === '"' && i + 1 < line.length) word += line[++i];
      else word += c;
    } else if (c === '"' || c === "'") {
      quote = c;
      inWord = true;
    } else if (c === '\\' && i + 1 < line.length) {
      word += line[++i];
      inWord = true;
    } else if (/\s/.test(c)) {
      if (inWord) words.push(word);
      word = '';
      inWord = false;
    } else {
      word += c;
      inWord = true;
    }
  }
  if (quote) return `unclosed ${quote} in the command line`;
  if (inWord) words.push(word);
  return words.length > 0 ? words : 'the command line is empty';
}
