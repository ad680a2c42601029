import { Inject, Injectable, UnauthorizedException } from '@nestjs/common';
import type { CanActivate, ExecutionContext } from '@nestjs/common';
import { timingSafeEqual } from 'node:crypto';
import type { Request } from 'express';
import { AppConfig } from '../config/app-config.js';

/** X-Service-Key, compared in constant time; the only credential internal routes accept. */
@Injectable()
export class ServiceKeyGuard implements CanActivate {
  private readonly expected: Buffer;

  constructor(@Inject(AppConfig) config: AppConfig) {
    this.expected = Buffer.from(config.serviceKey, 'utf8');
  }

  canActivate(ctx: ExecutionContext): boolean {
    const header = ctx.switchToHttp().getRequest<Request>().headers['x-service-key'];
    if (typeof header !== 'string' || header.length === 0) {
      throw new UnauthorizedException('This route needs the X-Service-Key header');
    }
    const given = Buffer.from(header, 'utf8');
    if (given.length !== this.expected.length || !timingSafeEqual(given, this.expected)) {
      throw new UnauthorizedException('X-Service-Key is not valid');
    }
    return true;
  }
}
