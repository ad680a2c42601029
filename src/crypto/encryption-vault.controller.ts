import { Body, Controller, Get, HttpCode, Inject, Post, UseGuards } from '@nestjs/common';
import {
  ApiBadRequestResponse,
  ApiBearerAuth,
  ApiConflictResponse,
  ApiOkResponse,
  ApiOperation,
  ApiResponse,
  ApiTags,
  ApiTooManyRequestsResponse,
  ApiUnauthorizedResponse,
} from '@nestjs/swagger';
import { CurrentUser } from '../auth/auth.decorators.js';
import type { AuthUser } from '../auth/auth.types.js';
import { EncryptionVaultService } from './encryption-vault.service.js';
import {
  VaultKeyResponseDto,
  VaultPasswordDto,
  VaultStatusResponseDto,
  ZeroKnowledgeResponseDto,
} from './encryption-vault.dto.js';
import { VaultRateLimitGuard } from './vault-rate-limit.guard.js';
import { VaultErrorCode, VaultException } from './vault.exception.js';

const REAUTH =
  'Needs your account password in the body ({ "password": "…" }) besides the bearer token: it is ' +
  'checked again on every call. Rate-limited like login (per account and per IP, ' +
  'AUTH_RATE_LIMIT_PER_EMAIL / AUTH_RATE_LIMIT_PER_IP per AUTH_RATE_WINDOW_MS): 429 with Retry-After.';

@ApiTags('encryption-vault')
@ApiBearerAuth()
@Controller('api/v1/me/encryption-vault')
export class EncryptionVaultController {
  constructor(@Inject(EncryptionVaultService) private readonly vault: EncryptionVaultService) {}

  @Get()
  @ApiOkResponse({ type: VaultStatusResponseDto })
  status(@CurrentUser() user: AuthUser): Promise<VaultStatusResponseDto> {
    return this.vault.status(user.id);
  }

  @Post('key')
  @HttpCode(200)
  @UseGuards(VaultRateLimitGuard)
  @ApiOperation({ summary: 'Export your personal data key (re-authenticated)', description: REAUTH })
  @ApiOkResponse({ type: VaultKeyResponseDto })
  @ApiBadRequestResponse({ description: 'No password in the body' })
  @ApiUnauthorizedResponse({ description: 'The password is wrong (or no valid bearer token)' })
  @ApiTooManyRequestsResponse({ description: 'Too many attempts; see Retry-After' })
  @ApiConflictResponse({ description: 'The account is in zero-knowledge mode' })
  async key(@CurrentUser() user: AuthUser, @Body() body: VaultPasswordDto): Promise<VaultKeyResponseDto> {
    await this.vault.confirmPassword(user.id, body.password);
    return this.vault.key(user.id);
  }

  @Get('key')
  @ApiOperation({
    summary: 'Moved: use POST /api/v1/me/encryption-vault/key with { password }',
    deprecated: true,
  })
  @ApiResponse({ status: 405, description: 'The export is a POST now (it needs your password)' })
  keyByGet(): never {
    throw new VaultException(
      VaultErrorCode.METHOD_MOVED,
      'GET /api/v1/me/encryption-vault/key is gone: send POST /api/v1/me/encryption-vault/key with { "password": "…" } (your account password)',
    );
  }

  @Post('zero-knowledge')
  @HttpCode(200)
  @UseGuards(VaultRateLimitGuard)
  @ApiOperation({
    summary: 'Switch to zero-knowledge mode, irreversibly (re-authenticated)',
    description: `The server destroys its copy of your key and answers it once. ${REAUTH}`,
  })
  @ApiOkResponse({ type: ZeroKnowledgeResponseDto })
  @ApiBadRequestResponse({ description: 'No password in the body' })
  @ApiUnauthorizedResponse({ description: 'The password is wrong (or no valid bearer token)' })
  @ApiTooManyRequestsResponse({ description: 'Too many attempts; see Retry-After' })
  @ApiConflictResponse({ description: 'Already in zero-knowledge mode' })
  async enableZeroKnowledge(
    @CurrentUser() user: AuthUser,
    @Body() body: VaultPasswordDto,
  ): Promise<ZeroKnowledgeResponseDto> {
    await this.vault.confirmPassword(user.id, body.password);
    return this.vault.enableZeroKnowledge(user.id);
  }
}
