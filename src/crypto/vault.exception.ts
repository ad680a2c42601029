import { DomainException } from '../common/domain.exception.js';

export enum VaultErrorCode {
  ZERO_KNOWLEDGE = 'VAULT_ZERO_KNOWLEDGE',
  ALREADY_ZERO_KNOWLEDGE = 'VAULT_ALREADY_ZERO_KNOWLEDGE',
  WRONG_PASSWORD = 'VAULT_WRONG_PASSWORD',
  TOO_MANY_ATTEMPTS = 'VAULT_TOO_MANY_ATTEMPTS',
  METHOD_MOVED = 'VAULT_METHOD_MOVED',
}

const STATUS: Record<VaultErrorCode, number> = {
  [VaultErrorCode.ZERO_KNOWLEDGE]: 409,
  [VaultErrorCode.ALREADY_ZERO_KNOWLEDGE]: 409,
  [VaultErrorCode.WRONG_PASSWORD]: 401,
  [VaultErrorCode.TOO_MANY_ATTEMPTS]: 429,
  [VaultErrorCode.METHOD_MOVED]: 405,
};

export class VaultException extends DomainException {
  constructor(code: VaultErrorCode, message: string) {
    super(code, STATUS[code], message);
  }
}
