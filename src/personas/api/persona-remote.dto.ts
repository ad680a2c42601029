import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import {
  ArrayMaxSize,
  IsArray,
  IsBoolean,
  IsIn,
  IsInt,
  IsNumber,
  IsOptional,
  IsString,
  IsUUID,
  Matches,
  Max,
  MaxLength,
  Min,
} from 'class-validator';
import {
  TICK_CADENCES,
  TICK_STATUSES,
  TICK_WORDS_MAX,
  TICK_WORD_MAX_CHARS,
} from '../schedule/persona-schedule.types.js';
import type { ModuleMix, TickCadence, TickEnd } from '../schedule/persona-schedule.types.js';

/** The statuses a tick may end with (all but `running`). */
export const TICK_ENDS = TICK_STATUSES.filter((s): s is TickEnd => s !== 'running');
export const MAX_CLAIMS_PER_CALL = 50;
const INT4_MAX = 2_147_483_647;

/** POST /api/v1/personas/internal/claims */
export class ClaimTicksDto {
  @ApiProperty({ minimum: 1, maximum: MAX_CLAIMS_PER_CALL, description: 'how many due personas to claim' })
  @IsInt({ message: `limit must be an integer from 1 to ${MAX_CLAIMS_PER_CALL}` })
  @Min(1, { message: `limit must be an integer from 1 to ${MAX_CLAIMS_PER_CALL}` })
  @Max(MAX_CLAIMS_PER_CALL, { message: `limit must be an integer from 1 to ${MAX_CLAIMS_PER_CALL}` })
  limit!: number;

  @ApiPropertyOptional({ description: 'who claims (lease_owner), e.g. host:pid; default "remote"' })
  @IsOptional()
  @IsString({ message: 'runnerId must be a string' })
  @Matches(/^[\w.:@-]{1,100}$/, { message: "runnerId must be 1–100 characters of letters, digits, '_.:@-'" })
  runnerId?: string;

  @ApiPropertyOptional({
    description: 'the brain the runner plays with (persona_ticks.brain); default "remote"',
  })
  @IsOptional()
  @Matches(/^[a-z][a-z0-9_-]{0,31}$/, { message: "brain must be 1–32 characters of a–z, digits, '_', '-'" })
  brain?: string;

  @ApiPropertyOptional({ nullable: true, type: String, description: 'the model, when the brain has one' })
  @IsOptional()
  @IsString({ message: 'model must be a string' })
  @MaxLength(200, { message: 'model must be at most 200 characters' })
  model?: string | null;

  @ApiPropertyOptional({
    type: [String],
    description: 'persona ids not to claim (those this runner already ticked in this round)',
  })
  @IsOptional()
  @IsArray({ message: 'exclude must be an array of persona ids' })
  @ArrayMaxSize(1000, { message: 'exclude must contain at most 1000 ids' })
  @IsUUID('all', { each: true, message: 'exclude must contain only UUIDs' })
  exclude?: string[];
}

/** One claimed persona: everything a runner needs to play its tick, and nothing secret. */
export class ClaimedTickDto {
  @ApiProperty({ format: 'uuid' }) tickId!: string;
  @ApiProperty({ format: 'uuid', description: 'carried by every later call of this tick' })
  leaseToken!: string;
  @ApiProperty({ description: "the database's clock" }) leaseExpiresAt!: string;
  @ApiProperty({ description: "the database's clock at the claim (the persona's 'today')" })
  claimedAt!: string;
  @ApiProperty() userId!: string;
  @ApiProperty() email!: string;
  @ApiProperty() archetype!: string;
  @ApiProperty() systemPrompt!: string;
  @ApiProperty({ type: 'object', additionalProperties: { type: 'number' } }) moduleMix!: ModuleMix;
  @ApiProperty() timezone!: string;
  @ApiProperty({ enum: TICK_CADENCES }) cadence!: TickCadence;
  @ApiProperty() consecutiveFailures!: number;
}

/** GET …/budget: DAILY_BUDGET_USD against today's spend of every runner, by the database's clock. */
export class DailyBudgetDto {
  @ApiProperty({ nullable: true, type: Number, description: 'DAILY_BUDGET_USD; null: no cap' })
  budgetUsd!: number | null;
  @ApiProperty({ description: 'LLM spend of all personas today (UTC), whichever runner played them' })
  spentTodayUsd!: number;
  @ApiProperty({
    description: 'true once the spend reached the cap: brains that spend wait for the next day',
  })
  reached!: boolean;
  @ApiProperty({ nullable: true, type: String }) reason!: string | null;
  @ApiProperty({ description: 'the next UTC midnight (database clock): when the cap applies afresh' })
  resumesAt!: string;
}

export class ClaimedTicksDto {
  @ApiProperty({ type: [ClaimedTickDto] }) items!: ClaimedTickDto[];
  @ApiProperty({
    nullable: true,
    type: DailyBudgetDto,
    description:
      'the daily cap as the claim saw it (null for the scripted brain or without DAILY_BUDGET_USD); once reached, nothing is claimed',
  })
  dailyBudget!: DailyBudgetDto | null;
}

/** One earlier day in a persona's memory (its own records only). */
export class PersonaMemoryDayDto {
  @ApiProperty({ description: "YYYY-MM-DD in the persona's timezone" }) date!: string;
  @ApiProperty({ type: [String] }) modules!: string[];
  @ApiProperty({ type: 'array', items: { type: 'object' } })
  ratings!: Array<{ module: string; rating: number; notes: string | null }>;
  @ApiProperty({ type: 'array', items: { type: 'object' } })
  findings!: Array<{ module: string; tool: string; class: string; check: string }>;
  @ApiProperty({ type: 'array', items: { type: 'object' } }) calls!: Array<{ tool: string; ok: boolean }>;
}

export class PersonaMemoryDto {
  @ApiProperty({ description: 'the memory block of the prompt (within PERSONA_MEMORY_TOKENS)' })
  text!: string;
  @ApiProperty({ type: [PersonaMemoryDayDto], description: 'oldest first' }) days!: PersonaMemoryDayDto[];
}

/** POST …/ticks/:tickId/memory: what the persona remembers of its earlier days (this tick left out). */
export class TickMemoryDto {
  @ApiProperty({ format: 'uuid' }) tickId!: string;
  @ApiProperty({ nullable: true, type: PersonaMemoryDto, description: 'null on a first day' })
  memory!: PersonaMemoryDto | null;
}

/** POST …/ticks/:tickId/extend */
export class ExtendTickDto {
  @ApiProperty({ format: 'uuid' })
  @IsUUID('all', { message: 'leaseToken must be a UUID' })
  leaseToken!: string;
}

/** POST …/ticks/:tickId/memory: the tick's lease, as for every call after the claim. */
export class TickMemoryRequestDto extends ExtendTickDto {}

export class ExtendedTickDto {
  @ApiProperty() tickId!: string;
  @ApiProperty({ description: "the new expiry (the database's clock)" }) leaseExpiresAt!: string;
}

const count = (field: string) => ({ message: `${field} must be an integer ≥ 0` });

/** POST …/ticks/:tickId/finish: how the tick came out; the server computes the next due time. */
export class FinishTickDto {
  @ApiProperty({ format: 'uuid' })
  @IsUUID('all', { message: 'leaseToken must be a UUID' })
  leaseToken!: string;

  @ApiProperty({ enum: TICK_ENDS })
  @IsIn(TICK_ENDS, { message: `status must be one of ${TICK_ENDS.join(', ')}` })
  status!: TickEnd;

  @ApiProperty({ minimum: 0 })
  @IsInt(count('toolCalls'))
  @Min(0, count('toolCalls'))
  @Max(INT4_MAX, count('toolCalls'))
  toolCalls!: number;

  @ApiProperty({ minimum: 0 })
  @IsInt(count('tokensIn'))
  @Min(0, count('tokensIn'))
  @Max(INT4_MAX, count('tokensIn'))
  tokensIn!: number;

  @ApiProperty({ minimum: 0 })
  @IsInt(count('tokensOut'))
  @Min(0, count('tokensOut'))
  @Max(INT4_MAX, count('tokensOut'))
  tokensOut!: number;

  @ApiPropertyOptional({ minimum: 0, description: 'of tokensIn, read from the prompt cache (default 0)' })
  @IsOptional()
  @IsInt(count('cacheReadTokens'))
  @Min(0, count('cacheReadTokens'))
  @Max(INT4_MAX, count('cacheReadTokens'))
  cacheReadTokens?: number;

  @ApiPropertyOptional({ minimum: 0, description: 'of tokensIn, written to the prompt cache (default 0)' })
  @IsOptional()
  @IsInt(count('cacheWriteTokens'))
  @Min(0, count('cacheWriteTokens'))
  @Max(INT4_MAX, count('cacheWriteTokens'))
  cacheWriteTokens?: number;

  @ApiProperty({ minimum: 0 })
  @IsNumber({ allowNaN: false, allowInfinity: false }, { message: 'costUsd must be a number ≥ 0' })
  @Min(0, { message: 'costUsd must be a number ≥ 0' })
  @Max(1_000_000, { message: 'costUsd must be at most 1000000' })
  costUsd!: number;

  @ApiPropertyOptional({ nullable: true, type: String, maxLength: 2000 })
  @IsOptional()
  @IsString({ message: 'error must be a string' })
  @MaxLength(2000, { message: 'error must be at most 2000 characters' })
  error?: string | null;

  @ApiPropertyOptional({ nullable: true, type: String, maxLength: 2000 })
  @IsOptional()
  @IsString({ message: 'ratingError must be a string' })
  @MaxLength(2000, { message: 'ratingError must be at most 2000 characters' })
  ratingError?: string | null;

  @ApiPropertyOptional({
    type: [String],
    maxItems: TICK_WORDS_MAX,
    description: "the persona's own words for the day, short first-person lines",
  })
  @IsOptional()
  @IsArray({ message: 'words must be an array of strings' })
  @ArrayMaxSize(TICK_WORDS_MAX, { message: `words must hold at most ${TICK_WORDS_MAX} lines` })
  @IsString({ each: true, message: 'words must contain only strings' })
  @MaxLength(TICK_WORD_MAX_CHARS, {
    each: true,
    message: `each line of words must be at most ${TICK_WORD_MAX_CHARS} characters`,
  })
  words?: string[];

  @ApiPropertyOptional({
    description: 'the runner stopped the tick itself (shutdown, paused brain): the persona keeps its place',
  })
  @IsOptional()
  @IsBoolean({ message: 'keepSchedule must be true or false' })
  keepSchedule?: boolean;
}

export class FinishedTickDto {
  @ApiProperty() tickId!: string;
  @ApiProperty({ enum: TICK_ENDS }) status!: TickEnd;
  @ApiProperty({ nullable: true, type: String, description: 'null when the schedule was kept' })
  nextDueAt!: string | null;
}

/** The explicit maps from the schedule's answers to the wire (dates as ISO strings, no secrets). */
export function toClaimedTickDto(c: {
  tickId: string;
  leaseToken: string;
  leaseExpiresAt: Date;
  claimedAt: Date;
  userId: string;
  email: string;
  archetype: string;
  systemPrompt: string;
  moduleMix: ModuleMix;
  timezone: string;
  cadence: TickCadence;
  consecutiveFailures: number;
}): ClaimedTickDto {
  return {
    tickId: c.tickId,
    leaseToken: c.leaseToken,
    leaseExpiresAt: c.leaseExpiresAt.toISOString(),
    claimedAt: c.claimedAt.toISOString(),
    userId: c.userId,
    email: c.email,
    archetype: c.archetype,
    systemPrompt: c.systemPrompt,
    moduleMix: c.moduleMix,
    timezone: c.timezone,
    cadence: c.cadence,
    consecutiveFailures: c.consecutiveFailures,
  };
}

export function toDailyBudgetDto(b: {
  budgetUsd: number | null;
  spentTodayUsd: number;
  reached: boolean;
  reason: string | null;
  resumesAt: Date;
}): DailyBudgetDto {
  return {
    budgetUsd: b.budgetUsd,
    spentTodayUsd: Math.round(b.spentTodayUsd * 1e6) / 1e6,
    reached: b.reached,
    reason: b.reason,
    resumesAt: b.resumesAt.toISOString(),
  };
}

export function toTickMemoryDto(
  tickId: string,
  memory: { text: string; days: PersonaMemoryDayDto[] } | undefined,
): TickMemoryDto {
  if (!memory) return { tickId, memory: null };
  const days = memory.days.map((d) => ({
    date: d.date,
    modules: d.modules,
    ratings: d.ratings.map((r) => ({ module: r.module, rating: r.rating, notes: r.notes })),
    findings: d.findings.map((f) => ({ module: f.module, tool: f.tool, class: f.class, check: f.check })),
    calls: d.calls.map((c) => ({ tool: c.tool, ok: c.ok })),
  }));
  return { tickId, memory: { text: memory.text, days } };
}

export function toFinishedTickDto(f: {
  tickId: string;
  status: TickEnd;
  nextDueAt: Date | null;
}): FinishedTickDto {
  return { tickId: f.tickId, status: f.status, nextDueAt: f.nextDueAt?.toISOString() ?? null };
}
