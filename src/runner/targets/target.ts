import type { PublishedToolSemantics } from '../../tool-contract/tool-semantics.js';

/**
 * What the personas test: the app inside this server (the default), or an external MCP server over
 * Streamable HTTP (a URL and the headers it wants: a bearer token, an API key) or over stdio (a
 * command started per persona session and stopped after, with its environment). Header and
 * environment values are secrets: they go to the server and nowhere else (never logged, never
 * answered; `describeTarget` names them only).
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

/** The target could not be reached or refused the personas: a setup problem, not a finding. */
export class TargetUnreachableError extends Error {}

/** The target for a log line or a report: its address, and only the names of its secrets. */
export function describeTarget(target: Target): string {
  switch (target.kind) {
    case 'built-in':
      return 'the built-in app';
    case 'http': {
      const names = Object.keys(target.headers);
      return `${target.url}${names.length > 0 ? ` (headers: ${names.join(', ')})` : ''}`;
    }
    case 'stdio': {
      const names = Object.keys(target.env);
      return `stdio: ${[target.command, ...target.args].join(' ')}${names.length > 0 ? ` (env: ${names.join(', ')})` : ''}`;
    }
  }
}

/** A header line as a user writes it (`Authorization: Bearer abc`): its name and value, or why not. */
export function parseHeaderLine(line: string): { name: string; value: string } | string {
  const colon = line.indexOf(':');
  if (colon <= 0) return `"${line}" is not a header line: write "Name: value"`;
  const name = line.slice(0, colon).trim();
  const value = line.slice(colon + 1).trim();
  // RFC 9110 token characters
  if (!/^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/.test(name)) return `"${name}" is not a valid header name`;
  if (/[\r\n\0]/.test(value)) return `the value of header "${name}" contains a line break`;
  return { name, value };
}

/** `NAME=value` for a stdio server's environment: its name and value, or why not. */
export function parseEnvAssignment(text: string): { name: string; value: string } | string {
  const eq = text.indexOf('=');
  const name = eq > 0 ? text.slice(0, eq) : '';
  if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(name)) return `"${text}" is not NAME=value`;
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
