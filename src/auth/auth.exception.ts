import { DomainException } from '../common/domain.exception.js';

export enum AuthErrorCode {
  EMAIL_TAKEN = 'EMAIL_TAKEN',
  WEAK_PASSWORD = 'WEAK_PASSWORD',
  INVALID_CREDENTIALS = 'INVALID_CREDENTIALS',
  INVALID_REFRESH_TOKEN = 'INVALID_REFRESH_TOKEN',
  USER_NOT_FOUND = 'USER_NOT_FOUND',
  NOT_STAMPABLE = 'NOT_STAMPABLE',
  TOKEN_NOT_FOUND = 'TOKEN_NOT_FOUND',
  HUMANS_ONLY = 'HUMANS_ONLY',
}

const STATUS: Record<AuthErrorCode, number> = {
  EMAIL_TAKEN: 409,
  WEAK_PASSWORD: 400,
  INVALID_CREDENTIALS: 401,
  INVALID_REFRESH_TOKEN: 401,
  USER_NOT_FOUND: 404,
  NOT_STAMPABLE: 409,
  TOKEN_NOT_FOUND: 404,
  HUMANS_ONLY: 403,
};

export class AuthException extends DomainException {
  constructor(code: AuthErrorCode, message: string) {
    super(code, STATUS[code], message);
  }
}
