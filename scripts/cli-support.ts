/**
 * What the persona CLIs share: flag parsing with a usage error for anything unknown, a small JSON
 * HTTP client for the admin API, and the exit-code convention (0 ok, 1 failed, 2 usage).
 * The CLIs are thin HTTP clients: they never open the database.
 */

export class UsageError extends Error {}

export interface FlagSpec {
  /** Flags that take a value: `--api=URL`. */
  values: readonly string[];
  /** Flags that are on or off: `--dry-run`. */
  switches: readonly string[];
}

export type Flags = Record<string, string | boolean | undefined>;

export function parseFlags(argv: readonly string[], spec: FlagSpec): Flags {
  const flags: Flags = {};
  for (const arg of argv) {
    const match = /^--([a-z][a-z-]*)(?:=(.*))?$/s.exec(arg);
    if (!match) throw new UsageError(`unexpected argument "${arg}"`);
    const [, name, value] = match;
    if (spec.switches.includes(name)) {
      if (value !== undefined) throw new UsageError(`--${name} takes no value`);
      flags[name] = true;
    } else if (spec.values.includes(name)) {
      if (value === undefined || value === '') throw new UsageError(`--${name} needs a value: --${name}=...`);
      flags[name] = value;
    } else {
      throw new UsageError(`unknown flag --${name}`);
    }
  }
  return flags;
}

/** --api, or its legacy alias --auth, else MANA_API_URL, else http://localhost:3000; checked to be http(s). */
export function apiBase(flags: Flags, env: Record<string, string | undefined>): string {
  if (typeof flags.api === 'string' && typeof flags.auth === 'string' && flags.api !== flags.auth) {
    throw new UsageError('--api and --auth (its legacy alias) name different servers; pass one');
  }
  const raw = (flags.api ?? flags.auth ?? env.MANA_API_URL ?? 'http://localhost:3000') as string;
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new UsageError(`"${raw}" is not a URL`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:')
    throw new UsageError(`"${raw}" is not an http(s) URL`);
  return raw.replace(/\/+$/, '');
}

export interface ApiResponse<T = unknown> {
  status: number;
  headers: Headers;
  body: T;
}

/** A failed request, with the server's own message when it sent one. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

export class ApiClient {
  constructor(
    readonly base: string,
    private readonly timeoutMs = 30_000,
  ) {}

  async request<T = unknown>(
    method: string,
    path: string,
    options: { token?: string; body?: unknown } = {},
  ): Promise<ApiResponse<T>> {
    const headers: Record<string, string> = { accept: 'application/json' };
    if (options.token) headers.authorization = `Bearer ${options.token}`;
    if (options.body !== undefined) headers['content-type'] = 'application/json';
    let res: Response;
    try {
      res = await fetch(`${this.base}${path}`, {
        method,
        headers,
        body: options.body === undefined ? undefined : JSON.stringify(options.body),
        signal: AbortSignal.timeout(this.timeoutMs),
      });
    } catch (error) {
      const cause = (error as { cause?: { code?: string } }).cause?.code ?? (error as Error).message;
      throw new ApiError(0, `cannot reach ${this.base} (${cause})`);
    }
    const text = await res.text();
    let body: unknown = text;
    try {
      body = text ? JSON.parse(text) : undefined;
    } catch {
      // not JSON: keep the text for the error message
    }
    if (!res.ok) {
      const message =
        body && typeof body === 'object' && 'message' in body ? String(body.message) : text.slice(0, 200);
      throw new ApiError(res.status, `${method} ${path} → ${res.status}: ${message}`);
    }
    return { status: res.status, headers: res.headers, body: body as T };
  }
}

/** Runs a CLI's main: its return value is the exit code; a usage error prints the usage and exits 2. */
export function runCli(main: () => Promise<number>, usage: string): void {
  main()
    .then((code) => {
      process.exitCode = code;
    })
    .catch((error: unknown) => {
      if (error instanceof UsageError) {
        console.error(`error: ${error.message}\n\n${usage}`);
        process.exitCode = 2;
        return;
      }
      console.error(`error: ${(error as Error).message}`);
      process.exitCode = 1;
    });
}
