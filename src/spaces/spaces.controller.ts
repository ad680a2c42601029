import { Body, Controller, Delete, Get, HttpCode, Inject, Param, ParseUUIDPipe, Post } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import { CurrentUser } from '../auth/auth.decorators.js';
import type { AuthUser } from '../auth/auth.types.js';
import { SpacesService } from './spaces.service.js';
import { AddMemberDto, CreateSpaceDto } from './spaces.dto.js';
import type { SpaceMemberResponseDto, SpaceResponseDto } from './spaces.dto.js';
import type { SpaceType } from './space.entity.js';

@ApiTags('spaces')
@ApiBearerAuth()
@Controller('api/v1/spaces')
export class SpacesController {
  constructor(@Inject(SpacesService) private readonly spaces: SpacesService) {}

  @Get()
  async list(@CurrentUser() user: AuthUser): Promise<{ items: SpaceResponseDto[] }> {
    return { items: (await this.spaces.listMine(user.id)).map((s) => this.spaces.toResponse(s)) };
  }

  @Post()
  async create(@CurrentUser() user: AuthUser, @Body() dto: CreateSpaceDto): Promise<SpaceResponseDto> {
    return this.spaces.toResponse(await this.spaces.create(user.id, dto.name, dto.type as SpaceType));
  }

  @Get(':id/members')
  async members(
    @CurrentUser() user: AuthUser,
    @Param('id', new ParseUUIDPipe({ errorHttpStatusCode: 404 })) id: string,
  ): Promise<{ items: SpaceMemberResponseDto[] }> {
    return { items: await this.spaces.members(user.id, id) };
  }

  @Post(':id/members')
  addMember(
    @CurrentUser() user: AuthUser,
    @Param('id', new ParseUUIDPipe({ errorHttpStatusCode: 404 })) id: string,
    @Body() dto: AddMemberDto,
  ): Promise<SpaceMemberResponseDto> {
    return this.spaces.addMember(user.id, id, dto.email);
  }

  @Delete(':id/members/:userId')
  @HttpCode(204)
  removeMember(
    @CurrentUser() user: AuthUser,
    @Param('id', new ParseUUIDPipe({ errorHttpStatusCode: 404 })) id: string,
    @Param('userId', new ParseUUIDPipe({ errorHttpStatusCode: 404 })) memberId: string,
  ): Promise<void> {
    return this.spaces.removeMember(user.id, id, memberId);
  }
}
