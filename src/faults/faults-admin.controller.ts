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
  Post,
} from '@nestjs/common';
import {
  ApiCreatedResponse,
  ApiExtraModels,
  ApiForbiddenResponse,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiOperation,
  ApiTags,
} from '@nestjs/swagger';
import { AdminOnly, CurrentUser } from '../auth/auth.decorators.js';
import type { AuthUser } from '../auth/auth.types.js';
import { FaultCatalogDto, FaultDto, FaultListDto, FaultParameterDto, PlantFaultDto } from './faults.dto.js';
import { FaultsService } from './faults.service.js';

/** The fault lab's admin API: plant and clear catalog defects. 403 in production unless FAULTS_ENABLED. */
@ApiTags('faults (admin)')
@ApiExtraModels(FaultParameterDto)
@ApiForbiddenResponse({
  description: 'Not an admin, or the fault lab is off (production without FAULTS_ENABLED)',
})
@AdminOnly()
@Controller('api/v1/faults')
export class FaultsAdminController {
  constructor(@Inject(FaultsService) private readonly faults: FaultsService) {}

  @Get('catalog')
  @ApiOperation({ summary: 'Every plantable defect: id, class, module, tool, parameters' })
  @ApiOkResponse({ type: FaultCatalogDto })
  catalog(): FaultCatalogDto {
    return this.faults.catalog();
  }

  @Get()
  @ApiOperation({ summary: 'The planted faults (active first) and the history' })
  @ApiOkResponse({ type: FaultListDto })
  list(): Promise<FaultListDto> {
    return this.faults.list();
  }

  @Post()
  @ApiOperation({ summary: 'Plant a catalog defect; every instance applies it within FAULTS_POLL_MS' })
  @ApiCreatedResponse({ type: FaultDto })
  @ApiNotFoundResponse({ description: 'Unknown defect' })
  plant(@CurrentUser() admin: AuthUser, @Body() dto: PlantFaultDto): Promise<FaultDto> {
    return this.faults.plant(admin.id, dto);
  }

  @Delete(':id')
  @HttpCode(200)
  @ApiOperation({ summary: 'Clear a planted fault (idempotent: a cleared one is answered unchanged)' })
  @ApiOkResponse({ type: FaultDto })
  @ApiNotFoundResponse({ description: 'No such fault' })
  clear(
    @CurrentUser() admin: AuthUser,
    @Param(
      'id',
      new ParseUUIDPipe({
        exceptionFactory: () => new BadRequestException('id must be a UUID (a fault id)'),
      }),
    )
    id: string,
  ): Promise<FaultDto> {
    return this.faults.clear(admin.id, id);
  }
}
