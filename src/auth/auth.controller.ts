import { Body, Controller, Get, HttpCode, Inject, Post } from '@nestjs/common';
import {
  ApiBearerAuth,
  ApiNoContentResponse,
  ApiOkResponse,
  ApiOperation,
  ApiTags,
  ApiUnauthorizedResponse,
} from '@nestjs/swagger';
import { AuthService } from './auth.service.js';
import { UsersService } from './users/users.service.js';
import { JwtKeysService } from './tokens/jwt-keys.service.js';
import { Public } from '../common/public.decorator.js';
import { CurrentUser } from './auth.decorators.js';
import { LoginDto, MeResponseDto, RefreshDto, RegisterDto, TokenResponseDto } from './auth.dto.js';
import type { AuthUser } from './auth.types.js';
import type { TokenPair } from './auth.service.js';

@ApiTags('auth')
@Controller('api/v1/auth')
export class AuthController {
  constructor(
    @Inject(AuthService) private readonly auth: AuthService,
    @Inject(UsersService) private readonly users: UsersService,
    @Inject(JwtKeysService) private readonly keys: JwtKeysService,
  ) {}

  @Public()
  @Post('register')
  @ApiOkResponse({ type: TokenResponseDto })
  async register(@Body() dto: RegisterDto): Promise<TokenPair> {
    await this.users.register(dto);
    return this.auth.login(dto.email, dto.password);
  }

  @Public()
  @Post('login')
  @HttpCode(200)
  @ApiOkResponse({ type: TokenResponseDto })
  login(@Body() dto: LoginDto): Promise<TokenPair> {
    return this.auth.login(dto.email, dto.password);
  }

  @Public()
  @Post('refresh')
  @HttpCode(200)
  @ApiOkResponse({ type: TokenResponseDto })
  refresh(@Body() dto: RefreshDto): Promise<TokenPair> {
    return this.auth.refresh(dto.refreshToken);
  }

  @Public()
  @Post('logout')
  @HttpCode(204)
  logout(@Body() dto: RefreshDto): Promise<void> {
    return this.auth.logout(dto.refreshToken);
  }

  @ApiBearerAuth()
  @Post('logout-all')
  @HttpCode(204)
  @ApiOperation({
    summary: 'Sign out of every session',
    description:
      'Revokes every refresh token and OAuth grant of the account and every access token issued before this call, on every server instance within seconds. Personal access tokens stay (revoke them under /api/v1/me/tokens).',
  })
  @ApiNoContentResponse({ description: 'Every session ended; log in again for new tokens' })
  @ApiUnauthorizedResponse({ description: 'No valid access token' })
  logoutAll(@CurrentUser() user: AuthUser): Promise<void> {
    return this.auth.logoutAll(user.id);
  }

  @ApiBearerAuth()
  @Get('me')
  @ApiOkResponse({ type: MeResponseDto })
  async me(@CurrentUser() user: AuthUser): Promise<MeResponseDto> {
    const row = await this.users.findById(user.id);
    return {
      ...user,
      name: row?.name ?? null,
      emailVerified: row?.emailVerified ?? false,
      createdAt: (row?.createdAt ?? new Date()).toISOString(),
    };
  }

  @Public()
  @Get('jwks')
  jwks() {
    return this.keys.getJwks();
  }
}
