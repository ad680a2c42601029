import { Body, Controller, Get, Inject, Patch } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiTags } from '@nestjs/swagger';
import { CurrentUser } from '../../auth/auth.decorators.js';
import type { AuthUser } from '../../auth/auth.types.js';
import { UserSettingsService } from './user-settings.service.js';
import { UpdateUserSettingsDto, UserSettingsResponseDto } from './user-settings.dto.js';

@ApiTags('me')
@ApiBearerAuth()
@Controller('api/v1/me/settings')
export class UserSettingsController {
  constructor(@Inject(UserSettingsService) private readonly settings: UserSettingsService) {}

  @Get()
  @ApiOkResponse({ type: UserSettingsResponseDto })
  get(@CurrentUser() user: AuthUser): Promise<UserSettingsResponseDto> {
    return this.settings.get(user.id);
  }

  @Patch()
  @ApiOkResponse({ type: UserSettingsResponseDto })
  update(
    @CurrentUser() user: AuthUser,
    @Body() dto: UpdateUserSettingsDto,
  ): Promise<UserSettingsResponseDto> {
    return this.settings.update(user.id, dto);
  }
}
