import { DomainException } from '../common/domain.exception.js';

export enum ReportErrorCode {
  BAD_RANGE = 'REPORT_BAD_RANGE',
  BAD_CURSOR = 'REPORT_BAD_CURSOR',
  TICK_NOT_FOUND = 'REPORT_TICK_NOT_FOUND',
}

const STATUS: Record<ReportErrorCode, number> = {
  REPORT_BAD_RANGE: 400,
  REPORT_BAD_CURSOR: 400,
  REPORT_TICK_NOT_FOUND: 404,
};

export class ReportException extends DomainException {
  constructor(code: ReportErrorCode, message: string) {
    super(code, STATUS[code], message);
  }
}
