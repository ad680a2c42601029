/**
 * Thrown by a handler for an expected failure (not found, zero-knowledge, a rule of the domain).
 * The gateway answers an MCP error result with this message; anything else is logged as a bug.
 */
export class ToolError extends Error {
  constructor(
    message: string,
    readonly code: string = 'TOOL_ERROR',
  ) {
    super(message);
    this.name = 'ToolError';
  }
}
