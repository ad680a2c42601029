import { DomainException } from '../common/domain.exception.js';

export enum VaultErrorCode {
  ZERO_KNOWLEDGE = 'VAULT_ZERO_KNOWLEDGE',
  ALREADY_ZERO_KNOWLEDGE = 'VAULT_ALREADY_ZERO_KNOWLEDGE',
}

export class VaultException extends DomainException {
  constructor(code: VaultErrorCode, message: string) {
    super(code, 409, message);
  }
}
