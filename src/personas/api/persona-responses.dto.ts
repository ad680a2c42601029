import { ApiProperty, OmitType } from '@nestjs/swagger';
import { ERROR_KINDS, TICK_CADENCES, TICK_STATUSES } from '../schedule/persona-schedule.types.js';
import { NOT_TICKING_REASONS } from '../schedule/not-ticking.js';
import type { NotTickingReason } from '../schedule/not-ticking.js';
import type { ModuleMix, TickCadence } from '../schedule/persona-schedule.types.js';
import { TARGET_KINDS } from '../targets/target.types.js';
import type { TargetKind } from '../targets/target.types.js';

/* What the personas admin and internal APIs answer (the request bodies are in personas.dto.ts). */

/** The target a persona plays, by name (GET /api/v1/targets/:id has the rest). */
export class PersonaTargetDto {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty() name!: string;
  @ApiProperty({ enum: TARGET_KINDS }) kind!: TargetKind;
}

/** Why a persona will not tick at its nextDueAt as a person would expect (src/personas/schedule/not-ticking.ts). */
export class NotTickingDto {
  @ApiProperty({
    enum: NOT_TICKING_REASONS,
    description:
      "disabled: its account is disabled; paused: this server's runner is paused; brain_paused: this server's runner's brain is paused (daily budget, or the LLM API refused it); weekday_rule: a weekdays persona on a weekend day in its timezone; backoff: pushed back after consecutive failed ticks; overdue: due for more than a few minutes (plus one RUNNER_CRON period) and not claimed. The first that holds, in this order.",
  })
  reason!: NotTickingReason;
  @ApiProperty({
    description:
      'One sentence for a person, e.g. "its cadence is weekdays and it is Saturday in Europe/Berlin: …".',
  })
  detail!: string;
  @ApiProperty({
    nullable: true,
    type: String,
    description: 'Since when it holds (disabled: the disabling; overdue: when it fell due); null otherwise.',
  })
  since!: string | null;
  @ApiProperty({
    nullable: true,
    type: String,
    description:
      'When it lifts by itself (backoff, weekday_rule, a daily-budget brain pause); null otherwise.',
  })
  until!: string | null;
}

const NEXT_DUE_AT =
  'When the runner will next consider it due: next_due_at (already backed off after failures), moved to the start of the next weekday in its timezone when the weekday rule holds a weekdays persona back; null = due now (never ticked). A past time means due since then.';
const NOT_TICKING =
  'null when it will tick at nextDueAt as a person would expect (or is ticking now); otherwise why not.';

export class PersonaResponseDto {
  @ApiProperty() userId!: string;
  @ApiProperty() email!: string;
  @ApiProperty({ nullable: true, type: String }) name!: string | null;
  @ApiProperty() archetype!: string;
  @ApiProperty() systemPrompt!: string;
  @ApiProperty({ type: 'object', additionalProperties: { type: 'number' } }) moduleMix!: ModuleMix;
  @ApiProperty({ enum: TICK_CADENCES }) tickCadence!: TickCadence;
  @ApiProperty() timezone!: string;
  @ApiProperty({ nullable: true, type: String }) lastActiveAt!: string | null;
  @ApiProperty({
    nullable: true,
    type: String,
    description: `${NEXT_DUE_AT} (The create-or-update answer and the internal due list give next_due_at as stored.)`,
  })
  nextDueAt!: string | null;
  @ApiProperty() consecutiveFailures!: number;
  @ApiProperty({ nullable: true, type: PersonaTargetDto, description: 'null: the built-in app' })
  target!: PersonaTargetDto | null;
  @ApiProperty({ type: [String], description: "names of the persona's own headers for its target" })
  targetHeaderNames!: string[];
  @ApiProperty() createdAt!: string;
  @ApiProperty() updatedAt!: string;
}

export class LastTickDto {
  @ApiProperty({ enum: TICK_STATUSES }) status!: string;
  @ApiProperty({ description: 'finished_at, or started_at while running' }) at!: string;
}

export class PersonaListItemDto {
  @ApiProperty() userId!: string;
  @ApiProperty() email!: string;
  @ApiProperty({ nullable: true, type: String }) name!: string | null;
  @ApiProperty() archetype!: string;
  @ApiProperty({ type: 'object', additionalProperties: { type: 'number' } }) moduleMix!: ModuleMix;
  @ApiProperty({ enum: TICK_CADENCES }) tickCadence!: TickCadence;
  @ApiProperty() timezone!: string;
  @ApiProperty({ nullable: true, type: String }) lastActiveAt!: string | null;
  @ApiProperty({ nullable: true, type: String, description: NEXT_DUE_AT }) nextDueAt!: string | null;
  @ApiProperty({ nullable: true, type: NotTickingDto, description: NOT_TICKING })
  notTicking!: NotTickingDto | null;
  @ApiProperty({ nullable: true, type: PersonaTargetDto, description: 'null: the built-in app' })
  target!: PersonaTargetDto | null;
  @ApiProperty() createdAt!: string;
  @ApiProperty({ description: 'tool calls in the last 7 days (database clock)' }) actions7d!: number;
  @ApiProperty({ description: 'failed tool calls in the last 7 days' }) errors7d!: number;
  @ApiProperty({ nullable: true, type: Number, description: 'mean rating of the last 7 days' })
  avgRating7d!: number | null;
  @ApiProperty({ nullable: true, type: LastTickDto }) lastTick!: LastTickDto | null;
}

export class PersonaListDto {
  @ApiProperty({ type: [PersonaListItemDto] }) items!: PersonaListItemDto[];
  @ApiProperty({ nullable: true, type: String }) nextCursor!: string | null;
}

export class PersonaActionDto {
  @ApiProperty() id!: string;
  @ApiProperty() tickId!: string;
  @ApiProperty() seq!: number;
  @ApiProperty() toolName!: string;
  @ApiProperty() module!: string;
  @ApiProperty({ nullable: true, type: String }) inputHash!: string | null;
  @ApiProperty({ enum: ['ok', 'error'] }) result!: string;
  @ApiProperty({ nullable: true, enum: ERROR_KINDS }) errorKind!: string | null;
  @ApiProperty({ nullable: true, type: String }) errorMessage!: string | null;
  @ApiProperty({ nullable: true, type: Number }) latencyMs!: number | null;
  @ApiProperty({ enum: ['brain', 'oracle'], description: 'oracle: a probe of the oracle engine' })
  origin!: string;
  @ApiProperty() createdAt!: string;
}

export class ModuleFeedbackDto {
  @ApiProperty() module!: string;
  @ApiProperty({ description: 'arithmetic mean of every rating of this module' }) avgRating!: number;
  @ApiProperty() count!: number;
  @ApiProperty({ nullable: true, type: String, description: 'notes of the newest rating that had notes' })
  lastNotes!: string | null;
}

export class PersonaTickDto {
  @ApiProperty() id!: string;
  @ApiProperty({ enum: TICK_STATUSES }) status!: string;
  @ApiProperty() brain!: string;
  @ApiProperty({ nullable: true, type: String }) model!: string | null;
  @ApiProperty() startedAt!: string;
  @ApiProperty({ nullable: true, type: String }) finishedAt!: string | null;
  @ApiProperty() toolCalls!: number;
  @ApiProperty() tokensIn!: number;
  @ApiProperty() tokensOut!: number;
  @ApiProperty() costUsd!: number;
  @ApiProperty({ nullable: true, type: String }) error!: string | null;
}

/** The persona as its detail answers it: the record with nextDueAt as the runner will use it, and notTicking. */
export class PersonaDetailRecordDto extends PersonaResponseDto {
  @ApiProperty({ nullable: true, type: NotTickingDto, description: NOT_TICKING })
  notTicking!: NotTickingDto | null;
}

export class PersonaDetailDto {
  @ApiProperty({ type: PersonaDetailRecordDto }) persona!: PersonaDetailRecordDto;
  @ApiProperty({ type: [PersonaActionDto] }) recentActions!: PersonaActionDto[];
  @ApiProperty({ type: [ModuleFeedbackDto] }) feedbackByModule!: ModuleFeedbackDto[];
  @ApiProperty({ type: [PersonaTickDto] }) recentTicks!: PersonaTickDto[];
}

/** A due persona as the internal API lists it: the persona without its target or stamps. */
export class DuePersonaDto extends OmitType(PersonaResponseDto, [
  'target',
  'targetHeaderNames',
  'createdAt',
  'updatedAt',
] as const) {}

export class DeletePersonaResultDto {
  @ApiProperty() userId!: string;
  @ApiProperty() email!: string;
  @ApiProperty({ description: 'spaces the persona solely owned, deleted with their rows' })
  spacesDeleted!: number;
  @ApiProperty({ description: 'shared spaces the persona owned, handed to the longest-standing member' })
  spacesTransferred!: number;
}
