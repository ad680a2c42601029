import { DomainException } from '../common/domain.exception.js';

export enum PersonaErrorCode {
  NOT_FOUND = 'PERSONA_NOT_FOUND',
  NOT_A_PERSONA = 'NOT_A_PERSONA',
  HUMAN_EMAIL = 'PERSONA_EMAIL_BELONGS_TO_HUMAN',
  INVALID_INPUT = 'PERSONA_INVALID_INPUT',
  PAYLOAD_MISMATCH = 'PERSONA_PAYLOAD_MISMATCH',
  /** The lease token is not (or no longer) the tick's current lease: another runner holds it. */
  LEASE_LOST = 'PERSONA_LEASE_LOST',
}

const STATUS: Record<PersonaErrorCode, number> = {
  [PersonaErrorCode.NOT_FOUND]: 404,
  [PersonaErrorCode.NOT_A_PERSONA]: 400,
  [PersonaErrorCode.HUMAN_EMAIL]: 409,
  [PersonaErrorCode.INVALID_INPUT]: 400,
  [PersonaErrorCode.PAYLOAD_MISMATCH]: 422,
  [PersonaErrorCode.LEASE_LOST]: 409,
};

export class PersonaException extends DomainException {
  constructor(code: PersonaErrorCode, message: string) {
    super(code, STATUS[code], message);
  }
}
