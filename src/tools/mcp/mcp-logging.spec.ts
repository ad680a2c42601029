import type { ToolCallOutcome } from '../tool.types.js';
import { DEFAULT_LOGGING_LEVEL, isLoggingLevel, shouldSend, toolCallLogMessage } from './mcp-logging.js';

const ok: ToolCallOutcome = { ok: true, tool: 'todo.list', output: { items: [] }, warnings: [] };
const failed = (kind: 'invalid_input' | 'internal' | 'rate_limited'): ToolCallOutcome => ({
  ok: false,
  tool: 'todo.create',
  kind,
  code: kind.toUpperCase(),
  message: `it went wrong (${kind})`,
  warnings: [],
});

describe(shouldSend.name, () => {
  it('should send a message at or above the threshold and hold back one below it', () => {
    expect(shouldSend('error', 'warning')).toBe(true);
    expect(shouldSend('warning', 'warning')).toBe(true);
    expect(shouldSend('info', 'warning')).toBe(false);
    expect(shouldSend('debug', 'debug')).toBe(true);
    expect(shouldSend('alert', 'emergency')).toBe(false);
  });

  it('should use warning as the threshold of a session whose client never set one', () => {
    expect(DEFAULT_LOGGING_LEVEL).toBe('warning');
    expect(shouldSend('warning', null)).toBe(true);
    expect(shouldSend('notice', undefined)).toBe(false);
  });
});

describe(isLoggingLevel.name, () => {
  it('should know the eight levels and nothing else', () => {
    for (const level of ['debug', 'info', 'notice', 'warning', 'error', 'critical', 'alert', 'emergency']) {
      expect(isLoggingLevel(level)).toBe(true);
    }
    for (const other of ['banana', 'WARNING', 'warn', '', null, 3]) expect(isLoggingLevel(other)).toBe(false);
  });
});

describe(toolCallLogMessage.name, () => {
  it('should log a successful call at info with the tool and its latency', () => {
    expect(toolCallLogMessage(ok, 12.6)).toEqual({
      level: 'info',
      logger: 'mana.tools',
      data: { tool: 'todo.list', latencyMs: 13, outcome: 'ok' },
    });
  });

  it('should log a success with flagged input at notice, naming the fields', () => {
    const flagged: ToolCallOutcome = {
      ...ok,
      warnings: [{ kind: 'prompt_injection', field: 'title', marker: 'ignore previous instructions' }],
    };
    const message = toolCallLogMessage(flagged, 3);
    expect(message.level).toBe('notice');
    expect(message.data.message).toBe('possible prompt injection in title');
  });

  it('should log a refused or failed call at warning and a server failure at error, with kind, code and message', () => {
    expect(toolCallLogMessage(failed('invalid_input'), 1)).toEqual({
      level: 'warning',
      logger: 'mana.tools',
      data: {
        tool: 'todo.create',
        latencyMs: 1,
        outcome: 'invalid_input',
        code: 'INVALID_INPUT',
        message: 'it went wrong (invalid_input)',
      },
    });
    expect(toolCallLogMessage(failed('rate_limited'), 1).level).toBe('warning');
    expect(toolCallLogMessage(failed('internal'), 1).level).toBe('error');
  });
});
