import { DomainException } from '../../common/domain.exception.js';

export enum TargetErrorCode {
  NOT_FOUND = 'TARGET_NOT_FOUND',
  INVALID_INPUT = 'TARGET_INVALID_INPUT',
  NAME_TAKEN = 'TARGET_NAME_TAKEN',
  /** Personas still play it: point them elsewhere first. */
  IN_USE = 'TARGET_IN_USE',
  /** stdio targets are off (production without TARGETS_STDIO_ENABLED=true). */
  STDIO_DISABLED = 'TARGET_STDIO_DISABLED',
}

const STATUS: Record<TargetErrorCode, number> = {
  [TargetErrorCode.NOT_FOUND]: 404,
  [TargetErrorCode.INVALID_INPUT]: 400,
  [TargetErrorCode.NAME_TAKEN]: 409,
  [TargetErrorCode.IN_USE]: 409,
  [TargetErrorCode.STDIO_DISABLED]: 403,
};

/** Messages name fields, targets and header or variable names; never a secret value. */
export class TargetException extends DomainException {
  constructor(code: TargetErrorCode, message: string) {
    super(code, STATUS[code], message);
  }
}
