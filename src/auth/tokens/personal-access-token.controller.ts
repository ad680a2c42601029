import { Body, Controller, Delete, Get, HttpCode, Inject, Param, ParseUUIDPipe, Post } from '@nestjs/common';
import { ApiBearerAuth, ApiCreatedResponse, ApiOkResponse, ApiTags } from '@nestjs/swagger';
import { CurrentUser } from '../auth.decorators.js';
import {
  CreatePersonalAccessTokenDto,
  CreatedPersonalAccessTokenDto,
  PersonalAccessTokenListDto,
} from './personal-access-token.dto.js';
import { PersonalAccessTokenService } from './personal-access-token.service.js';
import type { AuthUser } from '../auth.types.js';

@ApiTags('auth')
@ApiBearerAuth()
@Controller('api/v1/me/tokens')
export class PersonalAccessTokenController {
  constructor(@Inject(PersonalAccessTokenService) private readonly tokens: PersonalAccessTokenService) {}

  @Post()
  @ApiCreatedResponse({ type: CreatedPersonalAccessTokenDto })
  create(
    @CurrentUser() user: AuthUser,
    @Body() dto: CreatePersonalAccessTokenDto,
  ): Promise<CreatedPersonalAccessTokenDto> {
    return this.tokens.create(user, dto.name, dto.expiresInDays);
  }

  @Get()
  @ApiOkResponse({ type: PersonalAccessTokenListDto })
  async list(@CurrentUser() user: AuthUser): Promise<PersonalAccessTokenListDto> {
    return { items: await this.tokens.list(user.id) };
  }

  @Delete(':id')
  @HttpCode(204)
  revoke(@CurrentUser() user: AuthUser, @Param('id', ParseUUIDPipe) id: string): Promise<void> {
    return this.tokens.revoke(user.id, id);
  }
}
