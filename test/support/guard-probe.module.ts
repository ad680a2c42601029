import { Controller, Get, Module } from '@nestjs/common';
import { AdminOnly, CurrentUser, ServiceKeyOnly } from '../../src/auth/auth.decorators.js';
import type { AuthUser } from '../../src/auth/auth.types.js';

/**
 * Test-only routes that carry the real guard decorators, so the guards are proven independently of
 * whichever feature module uses them. Mounted through bootTestApp(env, { extraModules }).
 */
@Controller('test-probe')
export class GuardProbeController {
  @AdminOnly()
  @Get('admin')
  admin(@CurrentUser() user: AuthUser): { ok: true; userId: string } {
    return { ok: true, userId: user.id };
  }

  @ServiceKeyOnly()
  @Get('internal')
  internal(): { ok: true } {
    return { ok: true };
  }

  @Get('jwt')
  jwt(@CurrentUser() user: AuthUser): { ok: true; userId: string } {
    return { ok: true, userId: user.id };
  }
}

@Module({ controllers: [GuardProbeController] })
export class GuardProbeModule {}
