/**
 * Base of every typed domain error. The global filter maps `status` to the HTTP answer and shows
 * `message` as is, so messages must say what is wrong and never carry secrets.
 */
export class DomainException extends Error {
  constructor(
    readonly code: string,
    readonly status: number,
    message: string,
  ) {
    super(message);
    this.name = new.target.name;
  }
}
