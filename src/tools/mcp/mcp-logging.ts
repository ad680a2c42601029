import type { ToolCallOutcome } from '../tool.types.js';

/** The MCP logging levels (RFC 5424 severities), least severe first. */
export const LOGGING_LEVELS = [
  'debug',
  'info',
  'notice',
  'warning',
  'error',
  'critical',
  'alert',
  'emergency',
] as const;

export type LoggingLevel = (typeof LOGGING_LEVELS)[number];

/**
 * The threshold of a session whose client never sent logging/setLevel: only what went wrong is
 * sent (a client that wants a line per call asks for `info`).
 */
export const DEFAULT_LOGGING_LEVEL: LoggingLevel = 'warning';

/** The `logger` field of every message this server sends. */
export const TOOL_CALL_LOGGER = 'mana.tools';

export function isLoggingLevel(value: unknown): value is LoggingLevel {
  return typeof value === 'string' && (LOGGING_LEVELS as readonly string[]).includes(value);
}

/** A message at `level` is sent when the session's threshold (or the default) is at or below it. */
export function shouldSend(level: LoggingLevel, threshold: LoggingLevel | null | undefined): boolean {
  return LOGGING_LEVELS.indexOf(level) >= LOGGING_LEVELS.indexOf(threshold ?? DEFAULT_LOGGING_LEVEL);
}

/** The params of a notifications/message. */
export interface ToolCallLogMessage {
  level: LoggingLevel;
  logger: string;
  data: Record<string, unknown>;
}

/**
 * The one log message of a tools/call, sent on the call's own stream before its result:
 * - `info`: the call succeeded (tool, latency);
 * - `notice`: it succeeded, but its input carried prompt-injection markers (the fields named);
 * - `warning`: it was refused or failed (unknown tool, forbidden, rate limited, invalid input, the
 *   tool's own error), with the kind, the code and the message the result carries too;
 * - `error`: the server failed while running it (`internal`).
 */
export function toolCallLogMessage(outcome: ToolCallOutcome, latencyMs: number): ToolCallLogMessage {
  const base = { tool: outcome.tool, latencyMs: Math.round(latencyMs) };
  if (outcome.ok) {
    if (outcome.warnings.length === 0) {
      return { level: 'info', logger: TOOL_CALL_LOGGER, data: { ...base, outcome: 'ok' } };
    }
    const fields = outcome.warnings.map((w) => w.field);
    return {
      level: 'notice',
      logger: TOOL_CALL_LOGGER,
      data: { ...base, outcome: 'ok', message: `possible prompt injection in ${fields.join(', ')}` },
    };
  }
  return {
    level: outcome.kind === 'internal' ? 'error' : 'warning',
    logger: TOOL_CALL_LOGGER,
    data: { ...base, outcome: outcome.kind, code: outcome.code, message: outcome.message },
  };
}
