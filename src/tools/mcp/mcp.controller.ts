import { Controller, Delete, Get, Inject, Post, Req, Res } from '@nestjs/common';
import { ApiBearerAuth, ApiExcludeController } from '@nestjs/swagger';
import type { Response } from 'express';
import { CurrentUser } from '../../auth/auth.decorators.js';
import type { AuthUser } from '../../auth/auth.types.js';
import { McpGateway } from './mcp.gateway.js';
import type { McpHttpRequest } from './mcp-session.manager.js';

/** MCP Streamable HTTP at /mcp (JWT on every request, like any other route). Not a REST API: not in OpenAPI. */
@ApiExcludeController()
@ApiBearerAuth()
@Controller('mcp')
export class McpController {
  constructor(@Inject(McpGateway) private readonly gateway: McpGateway) {}

  @Post()
  post(@Req() req: McpHttpRequest, @Res() res: Response, @CurrentUser() user: AuthUser): Promise<void> {
    return this.gateway.handle(req, res, user);
  }

  @Get()
  stream(@Req() req: McpHttpRequest, @Res() res: Response, @CurrentUser() user: AuthUser): Promise<void> {
    return this.gateway.handle(req, res, user);
  }

  @Delete()
  close(@Req() req: McpHttpRequest, @Res() res: Response, @CurrentUser() user: AuthUser): Promise<void> {
    return this.gateway.handle(req, res, user);
  }
}
