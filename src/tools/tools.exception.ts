import { DomainException } from '../common/domain.exception.js';

export enum ToolsErrorCode {
  SPACE_HEADER_INVALID = 'MCP_SPACE_HEADER_INVALID',
  SPACE_FORBIDDEN = 'MCP_SPACE_FORBIDDEN',
  SESSION_REQUIRED = 'MCP_SESSION_REQUIRED',
  SESSION_NOT_FOUND = 'MCP_SESSION_NOT_FOUND',
  SESSION_FORBIDDEN = 'MCP_SESSION_FORBIDDEN',
  ORIGIN_FORBIDDEN = 'MCP_ORIGIN_FORBIDDEN',
  HOST_FORBIDDEN = 'MCP_HOST_FORBIDDEN',
  METHOD_NOT_ALLOWED = 'MCP_METHOD_NOT_ALLOWED',
}

const STATUS: Record<ToolsErrorCode, number> = {
  MCP_SPACE_HEADER_INVALID: 400,
  MCP_SPACE_FORBIDDEN: 403,
  MCP_SESSION_REQUIRED: 400,
  MCP_SESSION_NOT_FOUND: 404,
  MCP_SESSION_FORBIDDEN: 403,
  MCP_ORIGIN_FORBIDDEN: 403,
  MCP_HOST_FORBIDDEN: 403,
  MCP_METHOD_NOT_ALLOWED: 405,
};

/** HTTP-level refusals of the tools layer (the /mcp gateway and the active-space check). */
export class ToolsException extends DomainException {
  constructor(code: ToolsErrorCode, message: string) {
    super(code, STATUS[code], message);
  }
}
