import { Module } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { PassportModule } from '@nestjs/passport';
import { AuthController } from './auth.controller.js';
import { AuthService } from './auth.service.js';
import { UsersService } from './users/users.service.js';
import { JwtKeysService } from './tokens/jwt-keys.service.js';
import { JwtStrategy } from './tokens/jwt.strategy.js';
import { JwtAuthGuard } from './tokens/jwt-auth.guard.js';
import { PasswordHasher } from './users/password-hasher.js';
import { ServiceKeyGuard } from './service-key.guard.js';
import { AdminGuard } from './admin.guard.js';
import { UserLifecycleHooks } from './users/user-lifecycle.hooks.js';
import { AdminBootstrapService } from './users/admin-bootstrap.service.js';
import { RequestAuthenticator } from './tokens/request-authenticator.js';
import { PersonalAccessTokenController } from './tokens/personal-access-token.controller.js';
import { PersonalAccessTokenService } from './tokens/personal-access-token.service.js';
import { RefreshFamilies } from './tokens/refresh-families.js';

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
    RefreshFamilies,
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
