import { Body, Controller, Delete, Get, Inject, Param, Post, Query, Res } from '@nestjs/common';
import { ApiHeader, ApiOkResponse, ApiTags } from '@nestjs/swagger';
import type { Response } from 'express';
import { AdminOnly } from '../../auth/auth.decorators.js';
import { PersonasService } from '../personas.service.js';
import { personaIdPipe } from './persona-id.pipe.js';
import { ListPersonasQueryDto, UpsertPersonaDto } from './personas.dto.js';
import {
  DeletePersonaResultDto,
  PersonaDetailDto,
  PersonaListDto,
  PersonaResponseDto,
} from './persona-responses.dto.js';
import type { TickCadence } from '../schedule/persona-schedule.types.js';

@ApiTags('personas (admin)')
@AdminOnly()
@Controller('api/v1/personas/admin')
export class PersonasAdminController {
  constructor(@Inject(PersonasService) private readonly personas: PersonasService) {}

  /** Create-or-update by email: 201 when created, 200 otherwise; X-Persona-Outcome tells which. */
  @Post()
  @ApiHeader({ name: 'X-Persona-Outcome', description: 'created | updated | unchanged' })
  async upsert(
    @Body() dto: UpsertPersonaDto,
    @Res({ passthrough: true }) res: Response,
  ): Promise<PersonaResponseDto> {
    const { persona, outcome } = await this.personas.upsert({
      ...dto,
      tickCadence: dto.tickCadence as TickCadence | undefined,
    });
    res.status(outcome === 'created' ? 201 : 200).setHeader('X-Persona-Outcome', outcome);
    return persona;
  }

  @Get()
  @ApiOkResponse({ type: PersonaListDto })
  list(@Query() query: ListPersonasQueryDto): Promise<PersonaListDto> {
    return this.personas.list(query.limit, query.cursor);
  }

  @Get(':id')
  @ApiOkResponse({ type: PersonaDetailDto })
  detail(@Param('id', personaIdPipe()) id: string): Promise<PersonaDetailDto> {
    return this.personas.detail(id);
  }

  @Delete(':id')
  @ApiOkResponse({ type: DeletePersonaResultDto })
  remove(@Param('id', personaIdPipe()) id: string): Promise<DeletePersonaResultDto> {
    return this.personas.remove(id);
  }
}
