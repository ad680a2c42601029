import { BadRequestException, ParseUUIDPipe } from '@nestjs/common';

/** A persona id (its user id) must be a UUID: a clear 400 instead of a database error. */
export const personaIdPipe = () =>
  new ParseUUIDPipe({
    exceptionFactory: () => new BadRequestException("id must be a UUID (the persona's user id)"),
  });
