import { DomainException } from '../../common/domain.exception.js';

export enum McpErrorCode {
  EVENT_ID_INVALID = 'MCP_EVENT_ID_INVALID',
  EVENT_NOT_FOUND = 'MCP_EVENT_NOT_FOUND',
}

const STATUS: Record<McpErrorCode, number> = {
  MCP_EVENT_ID_INVALID: 400,
  // not 404: to an MCP client a 404 means the session is gone (and it would initialize again)
  MCP_EVENT_NOT_FOUND: 400,
};

/** HTTP-level refusals of a stream resume (GET /mcp with Last-Event-ID). */
export class McpException extends DomainException {
  constructor(code: McpErrorCode, message: string) {
    super(code, STATUS[code], message);
  }
}
