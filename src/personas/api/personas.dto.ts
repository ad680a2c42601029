import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import {
  ArrayMaxSize,
  IsArray,
  IsBoolean,
  IsEmail,
  IsIn,
  IsInt,
  IsObject,
  IsOptional,
  IsString,
  IsUUID,
  Length,
  Matches,
  Max,
  MaxLength,
  Min,
  Validate,
  ValidateIf,
  ValidateNested,
} from 'class-validator';
import {
  ERROR_KINDS,
  FINDING_CLASSES,
  FINDING_SOURCES,
  TICK_CADENCES,
} from '../schedule/persona-schedule.types.js';
import type { TickCadence } from '../schedule/persona-schedule.types.js';
import {
  CHECK_NAME,
  FINDING_CHECK_MAX,
  MAX_ACTIONS_PER_CALL,
  MAX_FEEDBACK_PER_CALL,
  MAX_FINDINGS_PER_CALL,
} from '../persona-records.js';
import { HeaderMapRule } from '../targets/target-fields.validator.js';

export const ARCHETYPE_PATTERN = /^[a-z][a-z0-9-]{0,63}$/;

/**
 * Create-or-update by email. The body is the persona's whole desired state: an omitted tickCadence
 * or timezone means the default (daily, UTC), an omitted name leaves the account's name as it is,
 * and so does an omitted target or targetHeaders (write-only secrets are never resent by a caller
 * that only changes the prompt).
 */
export class UpsertPersonaDto {
  @ApiProperty({ example: 'persona.anna@mana.test', description: 'Domain must be PERSONA_EMAIL_DOMAIN' })
  @IsEmail({}, { message: 'email must be an email address' })
  @MaxLength(254)
  email!: string;

  @ApiPropertyOptional({ example: 'Anna' })
  @IsOptional()
  @IsString()
  @Length(1, 100)
  name?: string;

  @ApiPropertyOptional({
    description:
      'Leave it out: the server derives the password the runner signs in with from the email and ' +
      'PERSONA_SEED_SECRET. If sent, it must be that derived password (400 otherwise).',
  })
  @IsOptional()
  @IsString()
  @Length(10, 128)
  password?: string;

  @ApiProperty({ example: 'adhd-student' })
  @IsString()
  @Matches(ARCHETYPE_PATTERN, {
    message: 'archetype must be 1–64 characters: lower-case letters, digits and dashes',
  })
  archetype!: string;

  @ApiProperty({ minLength: 20, maxLength: 8000 })
  @IsString()
  @Length(20, 8000, { message: 'systemPrompt must be 20–8000 characters' })
  systemPrompt!: string;

  @ApiProperty({
    example: { todo: 3, habits: 2, journal: 1 },
    description: 'module → weight ≥ 0, at least one > 0; modules must have tools',
  })
  @IsObject({ message: 'moduleMix must be an object of module → weight' })
  moduleMix!: Record<string, unknown>;

  @ApiPropertyOptional({ enum: TICK_CADENCES, default: 'daily' })
  @IsOptional()
  @IsIn(TICK_CADENCES, { message: `tickCadence must be one of ${TICK_CADENCES.join(', ')}` })
  tickCadence?: TickCadence;

  @ApiPropertyOptional({ example: 'Europe/Berlin', default: 'UTC', description: 'An IANA time zone' })
  @IsOptional()
  @IsString()
  @MaxLength(64)
  timezone?: string;

  @ApiPropertyOptional({
    nullable: true,
    type: String,
    format: 'uuid',
    description:
      'The MCP server the persona plays: a target id (/api/v1/targets), or null for the built-in app. Omitted: kept (a new persona plays the built-in app)',
  })
  @ValidateIf((_, value) => value !== undefined && value !== null)
  @IsUUID('all', { message: 'target must be a target id (a UUID), or null for the built-in app' })
  target?: string | null;

  @ApiPropertyOptional({
    nullable: true,
    type: 'object',
    additionalProperties: { type: 'string' },
    description:
      "Write-only: the persona's own headers for its target (its credentials there), sent over the target's own; answered as targetHeaderNames. null clears; omitted keeps them while the target stays the same",
    example: { Authorization: 'Bearer <this persona token>' },
  })
  @ValidateIf((_, value) => value !== undefined && value !== null)
  @Validate(HeaderMapRule)
  targetHeaders?: Record<string, string> | null;
}

/** `?limit=` of a bounded list (1–200); each endpoint applies its own default. */
export class LimitQueryDto {
  @ApiPropertyOptional({ minimum: 1, maximum: 200, description: 'default 50 for the list, 20 for /due' })
  @IsOptional()
  @Type(() => Number)
  @IsInt({ message: 'limit must be an integer from 1 to 200' })
  @Min(1, { message: 'limit must be an integer from 1 to 200' })
  @Max(200, { message: 'limit must be an integer from 1 to 200' })
  limit?: number;
}

export class ListPersonasQueryDto extends LimitQueryDto {
  @ApiPropertyOptional({ description: 'nextCursor of the previous page' })
  @IsOptional()
  @IsString()
  @MaxLength(200)
  cursor?: string;
}

/** Documentation of one action row; rows are validated by the service (see persona-records.ts). */
export class ActionItemDto {
  @ApiProperty({ format: 'uuid' }) tickId!: string;
  @ApiProperty({ minimum: 0 }) seq!: number;
  @ApiProperty({ example: 'todo.create' }) toolName!: string;
  @ApiPropertyOptional({ maxLength: 128 }) inputHash?: string;
  @ApiProperty({ enum: ['ok', 'error'] }) result!: string;
  @ApiPropertyOptional({ enum: ERROR_KINDS }) errorKind?: string;
  @ApiPropertyOptional({ maxLength: 2000 }) errorMessage?: string;
  @ApiPropertyOptional({ minimum: 0 }) latencyMs?: number;
  @ApiPropertyOptional({
    enum: ['brain', 'oracle'],
    description: 'brain (default): the persona chose the call; oracle: a probe of the oracle engine',
  })
  origin?: string;
}

export class FeedbackItemDto {
  @ApiProperty({ format: 'uuid' }) tickId!: string;
  @ApiProperty({ example: 'todo' }) module!: string;
  @ApiProperty({ minimum: 1, maximum: 5, description: 'integer' }) rating!: number;
  @ApiPropertyOptional({ maxLength: 4000 }) notes?: string;
}

export class RecordActionsDto {
  @ApiProperty({
    format: 'uuid',
    description: "the tick's current lease token (from POST …/claims); stale → 409",
  })
  @IsUUID('all', { message: 'leaseToken must be a UUID' })
  leaseToken!: string;

  @ApiProperty({ type: [ActionItemDto], maxItems: MAX_ACTIONS_PER_CALL })
  @IsArray({ message: 'actions must be an array' })
  @ArrayMaxSize(MAX_ACTIONS_PER_CALL, {
    message: `actions must contain at most ${MAX_ACTIONS_PER_CALL} rows`,
  })
  actions!: unknown[];
}

export class RecordFeedbackDto {
  @ApiProperty({
    format: 'uuid',
    description: "the tick's current lease token (from POST …/claims); stale → 409",
  })
  @IsUUID('all', { message: 'leaseToken must be a UUID' })
  leaseToken!: string;

  @ApiProperty({ type: [FeedbackItemDto], maxItems: MAX_FEEDBACK_PER_CALL })
  @IsArray({ message: 'feedback must be an array' })
  @ArrayMaxSize(MAX_FEEDBACK_PER_CALL, {
    message: `feedback must contain at most ${MAX_FEEDBACK_PER_CALL} rows`,
  })
  feedback!: unknown[];
}

/** One finding as a runner on another host reports it; every field is checked here, named in the 400. */
export class FindingItemDto {
  @ApiProperty({ format: 'uuid', description: 'a tick of this persona' })
  @IsUUID('all', { message: 'tickId must be a UUID' })
  tickId!: string;

  @ApiPropertyOptional({
    minimum: 0,
    nullable: true,
    type: Number,
    description: 'seq of the call that showed it',
  })
  @IsOptional()
  @IsInt({ message: 'seq must be an integer ≥ 0 or null' })
  @Min(0, { message: 'seq must be an integer ≥ 0 or null' })
  @Max(2_147_483_647, { message: 'seq must be an integer ≥ 0 or null' })
  seq?: number | null;

  @ApiProperty({ example: 'todo' })
  @IsString({ message: 'module must be a string' })
  @Matches(/^[a-z][a-z0-9_]{0,63}$/, {
    message: "module must be a module name (lower case letters, digits, '_')",
  })
  module!: string;

  @ApiProperty({ example: 'todo.list' })
  @IsString({ message: 'tool must be a string' })
  @Matches(/^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$/, {
    message: "tool must be 1–128 characters of letters, digits, '_', '.', '-'",
  })
  tool!: string;

  @ApiProperty({ enum: FINDING_CLASSES })
  @IsIn(FINDING_CLASSES, { message: `class must be one of ${FINDING_CLASSES.join(', ')}` })
  class!: string;

  @ApiProperty({ example: 'read-your-writes.list', maxLength: FINDING_CHECK_MAX })
  @IsString({ message: 'check must be a string' })
  @Matches(CHECK_NAME, {
    message: `check must be 1–${FINDING_CHECK_MAX} characters of letters, digits, '.', '_', '-'`,
  })
  check!: string;

  @ApiProperty({ description: 'clipped to 200 characters when stored' })
  @IsString({ message: 'expected must be a string' })
  @MaxLength(2000, { message: 'expected must be at most 2000 characters' })
  expected!: string;

  @ApiProperty({ description: 'clipped to 200 characters when stored' })
  @IsString({ message: 'got must be a string' })
  @MaxLength(2000, { message: 'got must be at most 2000 characters' })
  got!: string;

  @ApiProperty({ enum: FINDING_SOURCES })
  @IsIn(FINDING_SOURCES, { message: `source must be one of ${FINDING_SOURCES.join(', ')}` })
  source!: string;

  @ApiPropertyOptional({ default: false, description: "the persona's own invalid input, not an app finding" })
  @IsOptional()
  @IsBoolean({ message: 'personaMistake must be true or false' })
  personaMistake?: boolean;
}

export class RecordFindingsDto {
  @ApiProperty({
    format: 'uuid',
    description: "the tick's current lease token (from POST …/claims); stale → 409",
  })
  @IsUUID('all', { message: 'leaseToken must be a UUID' })
  leaseToken!: string;

  @ApiProperty({ type: [FindingItemDto], maxItems: MAX_FINDINGS_PER_CALL })
  @IsArray({ message: 'findings must be an array' })
  @ArrayMaxSize(MAX_FINDINGS_PER_CALL, {
    message: `findings must contain at most ${MAX_FINDINGS_PER_CALL} rows`,
  })
  @ValidateNested({ each: true })
  @Type(() => FindingItemDto)
  findings!: FindingItemDto[];
}

export class RecordResultDto {
  @ApiProperty() inserted!: number;
  @ApiProperty() duplicates!: number;
}
