/** The server answered 409: the lease token is stale (the tick finished or another runner took it over). */
export class LeaseLostError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'LeaseLostError';
  }
}
