import { SetMetadata, UseGuards, applyDecorators, createParamDecorator } from '@nestjs/common';
import type { ExecutionContext } from '@nestjs/common';
import { ApiBearerAuth, ApiSecurity } from '@nestjs/swagger';
import { AdminGuard } from './admin.guard.js';
import { ServiceKeyGuard } from './service-key.guard.js';
import type { AuthUser } from './auth.types.js';

export const IS_SERVICE_KEY_ONLY = 'auth:service-key-only';

/** Admin JWT required (role=admin). */
export const AdminOnly = () => applyDecorators(ApiBearerAuth(), UseGuards(AdminGuard));

/** The X-Service-Key header and nothing else: a JWT does not open these routes. */
export const ServiceKeyOnly = () =>
  applyDecorators(
    SetMetadata(IS_SERVICE_KEY_ONLY, true),
    ApiSecurity('service-key'),
    UseGuards(ServiceKeyGuard),
  );

export const CurrentUser = createParamDecorator(
  (_data: unknown, ctx: ExecutionContext): AuthUser =>
    ctx.switchToHttp().getRequest<{ user: AuthUser }>().user,
);
