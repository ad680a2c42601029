import {
  BadRequestException,
  Body,
  Controller,
  Get,
  HttpCode,
  Inject,
  Param,
  ParseUUIDPipe,
  Post,
  Query,
} from '@nestjs/common';
import { ApiConflictResponse, ApiOkResponse, ApiTags } from '@nestjs/swagger';
import { ServiceKeyOnly } from '../../auth/auth.decorators.js';
import { PersonaAuditService } from '../audit/persona-audit.service.js';
import { PersonaMemoryService } from '../audit/persona-memory.service.js';
import { PersonaScheduleService } from '../schedule/persona-schedule.service.js';
import { PersonasService } from '../personas.service.js';
import { personaIdPipe } from './persona-id.pipe.js';
import {
  LimitQueryDto,
  RecordActionsDto,
  RecordFeedbackDto,
  RecordFindingsDto,
  RecordResultDto,
} from './personas.dto.js';
import { DuePersonaDto } from './persona-responses.dto.js';
import {
  ClaimTicksDto,
  ClaimedTicksDto,
  DailyBudgetDto,
  ExtendTickDto,
  ExtendedTickDto,
  FinishTickDto,
  FinishedTickDto,
  TickMemoryDto,
  TickMemoryRequestDto,
  toClaimedTickDto,
  toDailyBudgetDto,
  toFinishedTickDto,
  toTickMemoryDto,
} from './persona-remote.dto.js';
import type { ActionInput, FeedbackInput, FindingInput } from '../persona-records.js';

const tickIdPipe = () =>
  new ParseUUIDPipe({ exceptionFactory: () => new BadRequestException('tickId must be a UUID') });

/**
 * For a runner on another host: the same service methods the in-process runner calls. The remote
 * runner protocol: claim (lease token + expiry, the in-process claim statement) → memory, actions,
 * feedback, findings, extend → finish, every call after the claim carrying the lease token; a stale
 * or wrong token answers 409 and changes nothing. GET budget answers DAILY_BUDGET_USD as the
 * in-process runner reads it, and a claim for a brain that spends is refused once it is reached.
 */
@ApiTags('personas (internal)')
@ServiceKeyOnly()
@Controller('api/v1/personas/internal')
export class PersonasInternalController {
  constructor(
    @Inject(PersonasService) private readonly personas: PersonasService,
    @Inject(PersonaAuditService) private readonly audit: PersonaAuditService,
    @Inject(PersonaScheduleService) private readonly schedule: PersonaScheduleService,
    @Inject(PersonaMemoryService) private readonly memories: PersonaMemoryService,
  ) {}

  @Get('due')
  @ApiOkResponse({ type: [DuePersonaDto] })
  async due(@Query() query: LimitQueryDto): Promise<{ items: DuePersonaDto[] }> {
    return { items: await this.personas.dueNow(query.limit) };
  }

  /**
   * Claims up to `limit` due personas and opens a tick for each (no password or secret in the answer);
   * none for a brain that spends once DAILY_BUDGET_USD is reached today.
   */
  @Post('claims')
  @HttpCode(200)
  @ApiOkResponse({ type: ClaimedTicksDto })
  async claim(@Body() dto: ClaimTicksDto): Promise<ClaimedTicksDto> {
    const { ticks, budget } = await this.schedule.claimTicksWithinBudget(
      dto.runnerId ?? 'remote',
      dto.limit,
      dto.brain ?? 'remote',
      dto.model ?? null,
      dto.exclude,
    );
    return { items: ticks.map(toClaimedTickDto), dailyBudget: budget ? toDailyBudgetDto(budget) : null };
  }

  /** DAILY_BUDGET_USD against today's spend of all runners: a remote runner pauses its brain by it. */
  @Get('budget')
  @ApiOkResponse({ type: DailyBudgetDto })
  async budget(): Promise<DailyBudgetDto> {
    return toDailyBudgetDto(await this.schedule.dailyBudget());
  }

  /** The persona's memory of its earlier days for a running tick, under its lease (the tick left out). */
  @Post('ticks/:tickId/memory')
  @HttpCode(200)
  @ApiOkResponse({ type: TickMemoryDto })
  @ApiConflictResponse({ description: 'the lease token is stale or wrong; nothing is answered' })
  async memory(
    @Param('tickId', tickIdPipe()) tickId: string,
    @Body() dto: TickMemoryRequestDto,
  ): Promise<TickMemoryDto> {
    const persona = await this.schedule.leasedPersona(tickId, dto.leaseToken);
    return toTickMemoryDto(tickId, await this.memories.recall(persona.userId, tickId));
  }

  /** The heartbeat: a new lease expiry for a running tick under its current lease. */
  @Post('ticks/:tickId/extend')
  @HttpCode(200)
  @ApiOkResponse({ type: ExtendedTickDto })
  @ApiConflictResponse({ description: 'the lease token is stale or wrong; nothing changed' })
  async extend(
    @Param('tickId', tickIdPipe()) tickId: string,
    @Body() dto: ExtendTickDto,
  ): Promise<ExtendedTickDto> {
    const expires = await this.schedule.extend(tickId, dto.leaseToken);
    return { tickId, leaseExpiresAt: expires.toISOString() };
  }

  /** Ends the tick and releases the lease; the server computes the next due time. */
  @Post('ticks/:tickId/finish')
  @HttpCode(200)
  @ApiOkResponse({ type: FinishedTickDto })
  @ApiConflictResponse({ description: 'the lease token is stale or wrong; nothing changed' })
  async finish(
    @Param('tickId', tickIdPipe()) tickId: string,
    @Body() dto: FinishTickDto,
  ): Promise<FinishedTickDto> {
    const { leaseToken, keepSchedule, error, ratingError, ...counts } = dto;
    const finished = await this.schedule.finishLeased(tickId, leaseToken, {
      ...counts,
      error: error ?? null,
      ratingError: ratingError ?? null,
      keepSchedule: keepSchedule === true,
    });
    return toFinishedTickDto(finished);
  }

  /** Rows are validated by the service (messages name the row and field, e.g. actions[3].seq). */
  @Post(':id/actions')
  @HttpCode(200)
  @ApiOkResponse({ type: RecordResultDto })
  @ApiConflictResponse({
    description: 'the lease token is not the current lease of the tick; nothing written',
  })
  recordActions(
    @Param('id', personaIdPipe()) id: string,
    @Body() dto: RecordActionsDto,
  ): Promise<RecordResultDto> {
    return this.audit.recordActions(id, dto.leaseToken, dto.actions as ActionInput[]);
  }

  @Post(':id/feedback')
  @HttpCode(200)
  @ApiOkResponse({ type: RecordResultDto })
  @ApiConflictResponse({
    description: 'the lease token is not the current lease of the tick; nothing written',
  })
  recordFeedback(
    @Param('id', personaIdPipe()) id: string,
    @Body() dto: RecordFeedbackDto,
  ): Promise<RecordResultDto> {
    return this.audit.recordFeedback(id, dto.leaseToken, dto.feedback as FeedbackInput[]);
  }

  /** Same idempotency as actions: id `{tickId}-{seq ?? 'none'}-{check}`; the tick must be the persona's. */
  @Post(':id/findings')
  @HttpCode(200)
  @ApiOkResponse({ type: RecordResultDto })
  @ApiConflictResponse({
    description: 'the lease token is not the current lease of the tick; nothing written',
  })
  recordFindings(
    @Param('id', personaIdPipe()) id: string,
    @Body() dto: RecordFindingsDto,
  ): Promise<RecordResultDto> {
    return this.audit.recordFindings(id, dto.leaseToken, dto.findings as FindingInput[]);
  }
}
