import type { BrainTool, ToolOutcome } from '../../brains/brain.js';
import type { SchemaValidators } from '../json-schema.js';
import { namesField, show } from '../values.js';
import type { Row } from '../values.js';
import { verdict } from '../verdict.js';
import type { Verdict } from '../verdict.js';

/**
 * A JSON-RPC error the server itself answered (invalid request, method not found, invalid params,
 * internal error, parse error). Transport failures, closed connections and request timeouts are
 * not the tool's answer and never a contract finding.
 */
export function isServerProtocolError(outcome: ToolOutcome): boolean {
  if (outcome.errorKind !== 'protocol') return false;
  const code = outcome.errorCode ?? '';
  if (code) return /^JSONRPC_-32(60[0-3]|700)$/.test(code);
  return /MCP error -32(60[0-3]|700)\b/.test(outcome.text);
}

/** Error codes of refusals that are about the caller's quota or rights, not the input. */
const POLICY_CODES = /RATE|LIMIT|QUOTA|UNAVAILABLE|FORBIDDEN|DENIED|TIMEOUT|UNAUTH|BUDGET|ADMIN|DISABLED/i;

export function isPolicyRefusal(outcome: ToolOutcome): boolean {
  return !!outcome.errorCode && POLICY_CODES.test(outcome.errorCode);
}

/** A successful answer conforms to the declared output schema; an answer the server had to withhold does not. */
export function outputSchemaCheck(
  tool: BrainTool,
  outcome: ToolOutcome,
  validators: SchemaValidators,
): Verdict | null {
  const check = 'contract.output-schema';
  if (outcome.ok) {
    const conformance = validators.check(tool.outputSchema, outcome.data);
    if (!conformance || conformance.ok) return null;
    return verdict(
      check,
      'contract',
      'an answer that matches the declared output schema',
      conformance.message,
    );
  }
  if (outcome.errorKind === 'tool' && outcome.errorCode === 'OUTPUT_CONTRACT') {
    return verdict(check, 'contract', 'an answer that matches the declared output schema', outcome.text);
  }
  // the server's own output validation refused its answer: the SDK's McpServer says so as a
  // JSON-RPC error (older versions) or an error result (`Output validation error: Invalid
  // structured content for tool …`); either way the tool broke its own schema, whatever was sent
  if (
    (outcome.errorKind === 'protocol' && /structured content/i.test(outcome.text)) ||
    (outcome.errorKind === 'tool' && /output validation error:.*structured content/is.test(outcome.text))
  ) {
    return verdict(
      check,
      'contract',
      'structured content that matches the declared output schema',
      outcome.text,
    );
  }
  return null;
}

/** A call whose input conforms to the input schema is answered with a result (maybe an error result), never a protocol error. */
export function errorAsProtocolCheck(
  tool: BrainTool,
  input: Row,
  outcome: ToolOutcome,
  validators: SchemaValidators,
): Verdict | null {
  if (!isServerProtocolError(outcome) || /structured content/i.test(outcome.text)) return null;
  const conformance = validators.check(tool.inputSchema, input);
  if (!conformance?.ok) return null;
  return verdict(
    'contract.error-as-protocol',
    'contract',
    'a tool result (isError for a refusal)',
    `a JSON-RPC error: ${outcome.text}`,
  );
}

/**
 * Input outside the input schema is refused, and the refusal names the offending field. Answers
 * the verdict, or null when the promise held or the call says nothing (no schema, no field known).
 */
export function inputSchemaCheck(
  tool: BrainTool,
  input: Row,
  outcome: ToolOutcome,
  validators: SchemaValidators,
): Verdict | null {
  const conformance = validators.check(tool.inputSchema, input);
  if (!conformance || conformance.ok) return null;
  if (outcome.ok) {
    return verdict(
      'contract.input-schema',
      'contract',
      `a refusal (${conformance.message})`,
      `accepted ${fieldsShown(input, conformance.fields)}`,
    );
  }
  return namesFieldCheck(outcome, conformance.fields);
}

/** A refusal of invalid input names the field that was wrong. */
export function namesFieldCheck(outcome: ToolOutcome, fields: string[]): Verdict | null {
  if (outcome.ok || outcome.errorKind !== 'tool' || fields.length === 0 || isPolicyRefusal(outcome))
    return null;
  if (fields.some((f) => namesField(outcome.text, f))) return null;
  return verdict(
    'refusal.names-field',
    'confusing',
    `an error that names ${fields.join(' or ')}`,
    outcome.text.slice(0, 160),
  );
}

function fieldsShown(input: Row, fields: string[]): string {
  const shown = fields.slice(0, 2).map((f) => `${f} ${show(input[f])}`);
  return shown.length > 0 ? shown.join(', ') : 'the input';
}
