import { randomUUID } from 'node:crypto';
import { PinoLogger } from 'nestjs-pino';
import pino from 'pino';
import { http } from '../support/http.js';
import { ADMIN_BASE } from '../support/personas.js';
import type { TestApp } from '../support/test-app.js';
import type { TestUser } from '../support/factories.js';

export const TARGETS = '/api/v1/targets';

/** A value no code path would print by chance: the tests search answers, rows and logs for it. */
export const distinctSecret = (what: string) => `s3cr3t-${what}-${randomUUID()}`;

/**
 * Everything the app logs from now on (every level, every request line) into `lines`. Call again
 * after booting another app: each boot makes a new root logger.
 */
export function captureLogs(lines: string[]): void {
  const root = PinoLogger.root as unknown as Record<symbol, unknown>;
  root[pino.symbols.streamSym] = { write: (line: string) => void lines.push(line) };
}

/** The env of an app whose every log line is captured. */
export const LOUD_LOGS = { LOG_LEVEL: 'trace', LOG_REQUESTS: 'true', LOG_FORMAT: 'json' };

/** A valid HTTP target body with a unique name. */
export function httpTargetBody(overrides: Record<string, unknown> = {}) {
  return {
    name: `http-${randomUUID().slice(0, 8)}`,
    kind: 'http',
    url: 'https://mcp.example.com/mcp',
    headers: { Authorization: 'Bearer placeholder' },
    ...overrides,
  };
}

/** A valid stdio target body with a unique name. */
export function stdioTargetBody(overrides: Record<string, unknown> = {}) {
  return {
    name: `stdio-${randomUUID().slice(0, 8)}`,
    kind: 'stdio',
    command: 'node server.js --flag',
    env: { API_KEY: 'placeholder' },
    ...overrides,
  };
}

/** Creates a target through the API (201 or the test fails here, saying why). */
export async function createTarget(t: TestApp, admin: TestUser, body: Record<string, unknown>) {
  const res = await http(t.url, 'POST', TARGETS, { token: admin.accessToken, body });
  if (res.status !== 201) throw new Error(`target create failed: ${res.status} ${res.text}`);
  return res.body as { id: string; name: string; kind: string; [key: string]: unknown };
}

/** A small valid semantics document (catalog/semantics.schema.json). */
export const MEMORY_SEMANTICS = {
  description: 'two tools of server-memory',
  tools: {
    create_entities: { effect: 'create', entity: 'entity', idempotent: false },
    read_graph: { effect: 'list', entity: 'entity', idempotent: true },
  },
};

/**
 * Deletes every persona pointed at a target, then every target: other suites tick whatever is due,
 * and must not meet a persona playing a server this suite stopped.
 */
export async function removeTargets(t: TestApp, admin: TestUser): Promise<void> {
  const pointed = await t.dataSource.query(`SELECT user_id FROM personas WHERE target_id IS NOT NULL`);
  for (const { user_id } of pointed)
    await http(t.url, 'DELETE', `${ADMIN_BASE}/${user_id}`, { token: admin.accessToken });
  await t.dataSource.query(`DELETE FROM targets`);
}
