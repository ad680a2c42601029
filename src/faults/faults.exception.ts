import { DomainException } from '../common/domain.exception.js';

export enum FaultsErrorCode {
  LAB_DISABLED = 'FAULT_LAB_DISABLED',
  UNKNOWN_DEFECT = 'FAULT_UNKNOWN_DEFECT',
  NOT_FOUND = 'FAULT_NOT_FOUND',
  INVALID_PARAMETER = 'FAULT_INVALID_PARAMETER',
}

const STATUS: Record<FaultsErrorCode, number> = {
  [FaultsErrorCode.LAB_DISABLED]: 403,
  [FaultsErrorCode.UNKNOWN_DEFECT]: 404,
  [FaultsErrorCode.NOT_FOUND]: 404,
  [FaultsErrorCode.INVALID_PARAMETER]: 400,
};

export class FaultsException extends DomainException {
  constructor(code: FaultsErrorCode, message: string) {
    super(code, STATUS[code], message);
  }
}
