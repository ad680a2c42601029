/**
 * The server cannot give out a space's data key: the space is unknown, or its key is not held
 * server-side (zero-knowledge). An expected failure owned by crypto; the ToolExecutor answers it as
 * a `tool_error` with this code and message, so crypto needs nothing from the tool gateway.
 */
export class KeyUnavailableError extends Error {
  constructor(
    message: string,
    readonly code: string,
  ) {
    super(message);
    this.name = 'KeyUnavailableError';
  }
}
