import { DomainException } from '../common/domain.exception.js';

export enum RunnerErrorCode {
  PERSONA_NOT_FOUND = 'PERSONA_NOT_FOUND',
  PERSONA_LEASED = 'PERSONA_LEASED',
  BRAIN_PAUSED = 'BRAIN_PAUSED',
  SHUTTING_DOWN = 'RUNNER_SHUTTING_DOWN',
}

const STATUS: Record<RunnerErrorCode, number> = {
  [RunnerErrorCode.PERSONA_NOT_FOUND]: 404,
  [RunnerErrorCode.PERSONA_LEASED]: 409,
  [RunnerErrorCode.BRAIN_PAUSED]: 409,
  [RunnerErrorCode.SHUTTING_DOWN]: 503,
};

export class RunnerException extends DomainException {
  constructor(code: RunnerErrorCode, message: string) {
    super(code, STATUS[code], message);
  }
}
