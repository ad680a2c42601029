/**
 * A call of the internal API that failed other than with 409 (that is LeaseLostError): the HTTP
 * status, or none when no answer came (network error, timeout). The message names the route and the
 * server's reason, never the service key.
 */
export class InternalApiError extends Error {
  constructor(
    message: string,
    /** undefined: no answer (network error or timeout). */
    readonly status: number | undefined,
    /** The server's Retry-After, when it sent one. */
    readonly retryAfterMs?: number,
  ) {
    super(message);
    this.name = 'InternalApiError';
  }
}
