import { Module } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { PassportModule } from '@nestjs/passport';
import { AuthController } from './auth.controller.js';
import { AuthService } from './auth.service.js';
import { UsersService } from './users.service.js';
import { JwtKeysService } from './jwt-keys.service.js';
import { JwtStrategy } from './jwt.strategy.js';
import { JwtAuthGuard } from './jwt-auth.guard.js';
import { PasswordHasher } from './password-hasher.js';
import { ServiceKeyGuard } from './service-key.guard.js';
import { AdminGuard } from './admin.guard.js';
import { UserLifecycleHooks } from './user-lifecycle.hooks.js';
import { AdminBootstrapService } from './admin-bootstrap.service.js';
import { RequestAuthenticator } from './request-authenticator.js';
import { PersonalAccessTokenController } from './personal-access-token.controller.js';
import { PersonalAccessTokenService } from './personal-access-token.service.js';

@Module({
  imports: [PassportModule],
  controllers: [AuthController, PersonalAccessTokenController],
  providers: [
    AuthService,
    UsersService,
    JwtKeysService,
    JwtStrategy,
    PasswordHasher,
    ServiceKeyGuard,
    AdminGuard,
    UserLifecycleHooks,
    AdminBootstrapService,
    RequestAuthenticator,
    PersonalAccessTokenService,
    { provide: APP_GUARD, useClass: JwtAuthGuard },
  ],
  exports: [
    AuthService,
    UsersService,
    JwtKeysService,
    UserLifecycleHooks,
    ServiceKeyGuard,
    AdminGuard,
    AdminBootstrapService,
    RequestAuthenticator,
  ],
})
export class AuthModule {}
