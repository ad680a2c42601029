import { DomainException } from '../common/domain.exception.js';

export enum SpaceErrorCode {
  NOT_FOUND = 'SPACE_NOT_FOUND',
  NOT_OWNER = 'SPACE_NOT_OWNER',
  USER_NOT_FOUND = 'SPACE_USER_NOT_FOUND',
  PERSONAL = 'SPACE_PERSONAL',
  OWNER_REMOVAL = 'SPACE_OWNER_REMOVAL',
  MEMBER_NOT_FOUND = 'SPACE_MEMBER_NOT_FOUND',
}

const STATUS: Record<SpaceErrorCode, number> = {
  SPACE_NOT_FOUND: 404,
  SPACE_NOT_OWNER: 403,
  SPACE_USER_NOT_FOUND: 404,
  SPACE_PERSONAL: 400,
  SPACE_OWNER_REMOVAL: 400,
  SPACE_MEMBER_NOT_FOUND: 404,
};

export class SpaceException extends DomainException {
  constructor(code: SpaceErrorCode, message: string) {
    super(code, STATUS[code], message);
  }
}
