import { Body, Controller, Get, HttpCode, Inject, Param, Post, Query } from '@nestjs/common';
import { ApiOkResponse, ApiTags } from '@nestjs/swagger';
import { ServiceKeyOnly } from '../auth/auth.decorators.js';
import { PersonaAuditService } from './persona-audit.service.js';
import { PersonasService } from './personas.service.js';
import { personaIdPipe } from './persona-id.pipe.js';
import {
  LimitQueryDto,
  DuePersonaDto,
  RecordActionsDto,
  RecordFeedbackDto,
  RecordFindingsDto,
  RecordResultDto,
} from './personas.dto.js';
import type { ActionInput, FeedbackInput, FindingInput } from './persona-records.js';

/** For a runner on another host: the same service methods the in-process runner calls. */
@ApiTags('personas (internal)')
@ServiceKeyOnly()
@Controller('api/v1/personas/internal')
export class PersonasInternalController {
  constructor(
    @Inject(PersonasService) private readonly personas: PersonasService,
    @Inject(PersonaAuditService) private readonly audit: PersonaAuditService,
  ) {}

  @Get('due')
  @ApiOkResponse({ type: [DuePersonaDto] })
  async due(@Query() query: LimitQueryDto): Promise<{ items: DuePersonaDto[] }> {
    return { items: await this.personas.dueNow(query.limit) };
  }

  /** Rows are validated by the service (messages name the row and field, e.g. actions[3].seq). */
  @Post(':id/actions')
  @HttpCode(200)
  @ApiOkResponse({ type: RecordResultDto })
  recordActions(
    @Param('id', personaIdPipe()) id: string,
    @Body() dto: RecordActionsDto,
  ): Promise<RecordResultDto> {
    return this.audit.recordActions(id, dto.actions as ActionInput[]);
  }

  @Post(':id/feedback')
  @HttpCode(200)
  @ApiOkResponse({ type: RecordResultDto })
  recordFeedback(
    @Param('id', personaIdPipe()) id: string,
    @Body() dto: RecordFeedbackDto,
  ): Promise<RecordResultDto> {
    return this.audit.recordFeedback(id, dto.feedback as FeedbackInput[]);
  }

  /** Same idempotency as actions: id `{tickId}-{seq ?? 'none'}-{check}`; the tick must be the persona's. */
  @Post(':id/findings')
  @HttpCode(200)
  @ApiOkResponse({ type: RecordResultDto })
  recordFindings(
    @Param('id', personaIdPipe()) id: string,
    @Body() dto: RecordFindingsDto,
  ): Promise<RecordResultDto> {
    return this.audit.recordFindings(id, dto.findings as FindingInput[]);
  }
}
