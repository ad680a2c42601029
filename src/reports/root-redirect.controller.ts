import { Controller, Get, Redirect } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import { Public } from '../common/public.decorator.js';

/**
 * `/` sends a browser to the admin dashboard (302 to /admin; Express answers HEAD through the GET
 * route). It matches the bare path only, so /health, /mcp, /api/… and /.well-known/… are untouched.
 */
@ApiExcludeController()
@Public()
@Controller()
export class RootRedirectController {
  @Get()
  @Redirect('/admin', 302)
  root(): void {}
}
