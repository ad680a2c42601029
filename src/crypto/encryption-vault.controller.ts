import { Controller, Get, HttpCode, Inject, Post } from '@nestjs/common';
import { ApiBearerAuth, ApiConflictResponse, ApiOkResponse, ApiTags } from '@nestjs/swagger';
import { CurrentUser } from '../auth/auth.decorators.js';
import type { AuthUser } from '../auth/auth.types.js';
import { EncryptionVaultService } from './encryption-vault.service.js';
import {
  VaultKeyResponseDto,
  VaultStatusResponseDto,
  ZeroKnowledgeResponseDto,
} from './encryption-vault.dto.js';

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

  @Get('key')
  @ApiOkResponse({ type: VaultKeyResponseDto })
  @ApiConflictResponse({ description: 'The account is in zero-knowledge mode' })
  key(@CurrentUser() user: AuthUser): Promise<VaultKeyResponseDto> {
    return this.vault.key(user.id);
  }

  @Post('zero-knowledge')
  @HttpCode(200)
  @ApiOkResponse({ type: ZeroKnowledgeResponseDto })
  @ApiConflictResponse({ description: 'Already in zero-knowledge mode' })
  enableZeroKnowledge(@CurrentUser() user: AuthUser): Promise<ZeroKnowledgeResponseDto> {
    return this.vault.enableZeroKnowledge(user.id);
  }
}
