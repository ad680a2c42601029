import {
  BadRequestException,
  Body,
  Controller,
  Delete,
  Get,
  HttpCode,
  Inject,
  Param,
  ParseUUIDPipe,
  Patch,
  Post,
  Query,
} from '@nestjs/common';
import {
  ApiConflictResponse,
  ApiCreatedResponse,
  ApiForbiddenResponse,
  ApiNoContentResponse,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiOperation,
  ApiTags,
} from '@nestjs/swagger';
import { AdminOnly } from '../../auth/auth.decorators.js';
import {
  CreateTargetDto,
  ListTargetsQueryDto,
  TargetListDto,
  TargetResponseDto,
  UpdateTargetDto,
} from './targets.dto.js';
import { TargetsService } from './targets.service.js';

const targetIdPipe = () =>
  new ParseUUIDPipe({ exceptionFactory: () => new BadRequestException('id must be a UUID (a target id)') });

/** External MCP servers personas may play. Header and environment values are write-only. */
@ApiTags('targets (admin)')
@ApiForbiddenResponse({
  description:
    'Not an admin, or a stdio target while stdio is off (production without TARGETS_STDIO_ENABLED)',
})
@AdminOnly()
@Controller('api/v1/targets')
export class TargetsAdminController {
  constructor(@Inject(TargetsService) private readonly targets: TargetsService) {}

  @Post()
  @ApiOperation({
    summary: 'Store a target: an HTTP URL with headers, or a stdio command with its environment',
  })
  @ApiCreatedResponse({ type: TargetResponseDto })
  @ApiConflictResponse({ description: 'A target of that name exists (ignoring case)' })
  create(@Body() dto: CreateTargetDto): Promise<TargetResponseDto> {
    return this.targets.create(dto);
  }

  @Get()
  @ApiOperation({ summary: 'Targets, newest first, with how many personas play each' })
  @ApiOkResponse({ type: TargetListDto })
  list(@Query() query: ListTargetsQueryDto): Promise<TargetListDto> {
    return this.targets.list(query.limit, query.cursor);
  }

  @Get(':id')
  @ApiOkResponse({ type: TargetResponseDto })
  @ApiNotFoundResponse({ description: 'No such target' })
  detail(@Param('id', targetIdPipe()) id: string): Promise<TargetResponseDto> {
    return this.targets.detail(id);
  }

  @Patch(':id')
  @ApiOperation({ summary: 'Change a target: given fields replace, null clears, omitted fields are kept' })
  @ApiOkResponse({ type: TargetResponseDto })
  @ApiNotFoundResponse({ description: 'No such target' })
  update(@Param('id', targetIdPipe()) id: string, @Body() dto: UpdateTargetDto): Promise<TargetResponseDto> {
    return this.targets.update(id, dto);
  }

  @Delete(':id')
  @HttpCode(204)
  @ApiOperation({ summary: 'Delete a target no persona plays' })
  @ApiNoContentResponse({ description: 'Deleted' })
  @ApiConflictResponse({ description: 'Personas still play it (the message says how many)' })
  @ApiNotFoundResponse({ description: 'No such target' })
  remove(@Param('id', targetIdPipe()) id: string): Promise<void> {
    return this.targets.remove(id);
  }
}
