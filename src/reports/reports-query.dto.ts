import { ApiPropertyOptional } from '@nestjs/swagger';
import { Transform, Type } from 'class-transformer';
import {
  IsBoolean,
  IsIn,
  IsInt,
  IsISO8601,
  IsOptional,
  IsString,
  IsUUID,
  Max,
  MaxLength,
  Min,
} from 'class-validator';
import { TICK_STATUSES } from '../personas/schedule/persona-tick.entity.js';
import { FINDING_CLASSES } from '../personas/schedule/persona-schedule.types.js';
import type { FindingClass } from '../personas/schedule/persona-schedule.types.js';

export const MAX_LIMIT = 200;
export const DEFAULT_LIMIT = 50;
export const MAX_OFFSET = 100_000;
export const BUCKETS = ['week', 'day'] as const;
export type Bucket = (typeof BUCKETS)[number];
export const TOOL_SORT_KEYS = ['tool', 'calls', 'errorRate', 'p50', 'p95', 'p99', 'lastErrorAt'] as const;
export type ToolSortKey = (typeof TOOL_SORT_KEYS)[number];
/** A sort key, optionally prefixed with `-` for descending. */
export const TOOL_SORTS = TOOL_SORT_KEYS.flatMap((k) => [k, `-${k}`]);

const ISO = { strict: true, strictSeparator: true };
const isoMessage = (name: string) => ({
  message: `${name} must be an ISO 8601 date or date-time (e.g. 2025-03-01 or 2025-03-01T08:00:00Z)`,
});

/** ?from&to: ISO 8601; a value without an offset is UTC; `to` is exclusive. At most 366 days apart. */
export class RangeQueryDto {
  @ApiPropertyOptional({ description: 'Start (inclusive), ISO 8601. Default: to − 28 days.' })
  @IsOptional()
  @IsISO8601(ISO, isoMessage('from'))
  from?: string;

  @ApiPropertyOptional({ description: 'End (exclusive), ISO 8601. Default: now.' })
  @IsOptional()
  @IsISO8601(ISO, isoMessage('to'))
  to?: string;
}

export class LimitQueryDto extends RangeQueryDto {
  @ApiPropertyOptional({ minimum: 1, maximum: MAX_LIMIT, default: DEFAULT_LIMIT })
  @IsOptional()
  @Type(() => Number)
  @IsInt({ message: 'limit must be an integer' })
  @Min(1, { message: 'limit must be at least 1' })
  @Max(MAX_LIMIT, { message: `limit must be at most ${MAX_LIMIT}` })
  limit?: number;
}

export class OffsetQueryDto extends LimitQueryDto {
  @ApiPropertyOptional({ minimum: 0, maximum: MAX_OFFSET, default: 0 })
  @IsOptional()
  @Type(() => Number)
  @IsInt({ message: 'offset must be an integer' })
  @Min(0, { message: 'offset must be at least 0' })
  @Max(MAX_OFFSET, { message: `offset must be at most ${MAX_OFFSET}` })
  offset?: number;
}

export class ModulesReportQueryDto extends LimitQueryDto {
  @ApiPropertyOptional({ enum: BUCKETS, default: 'week' })
  @IsOptional()
  @IsIn(BUCKETS, { message: `bucket must be one of ${BUCKETS.join(', ')}` })
  bucket?: Bucket;

  @ApiPropertyOptional({ description: 'nextCursor of the previous page (the last module name shown).' })
  @IsOptional()
  @IsString()
  @MaxLength(200, { message: 'cursor must be at most 200 characters' })
  cursor?: string;
}

export class ToolsReportQueryDto extends OffsetQueryDto {
  @ApiPropertyOptional({ enum: TOOL_SORTS, default: '-calls' })
  @IsOptional()
  @IsIn(TOOL_SORTS, { message: `sort must be one of ${TOOL_SORT_KEYS.join(', ')} (prefix - for descending)` })
  sort?: string;
}

export class SaidVsDidQueryDto extends OffsetQueryDto {
  @ApiPropertyOptional({ description: 'Only this persona (user id).' })
  @IsOptional()
  @IsUUID('all', { message: 'persona must be a persona user id (uuid)' })
  persona?: string;

  @ApiPropertyOptional({ description: 'Only rows with at least one flagged rating.' })
  @IsOptional()
  @Transform(({ value }) => (value === 'true' ? true : value === 'false' ? false : value))
  @IsBoolean({ message: 'flagged must be true or false' })
  flagged?: boolean;
}

export class TicksQueryDto extends LimitQueryDto {
  @ApiPropertyOptional({ description: 'Only this persona (user id).' })
  @IsOptional()
  @IsUUID('all', { message: 'persona must be a persona user id (uuid)' })
  persona?: string;

  @ApiPropertyOptional({ enum: TICK_STATUSES })
  @IsOptional()
  @IsIn(TICK_STATUSES, { message: `status must be one of ${TICK_STATUSES.join(', ')}` })
  status?: string;

  @ApiPropertyOptional({ description: 'nextCursor of the previous page.' })
  @IsOptional()
  @IsString()
  @MaxLength(200, { message: 'cursor must be at most 200 characters' })
  cursor?: string;
}

/** How many personas a finding group names (`seenBy`); `personas` keeps the full count. */
export const FINDING_SEEN_BY_MAX = 20;
export const FINDINGS_FORMATS = ['json', 'csv'] as const;
export type FindingsFormat = (typeof FINDINGS_FORMATS)[number];
export const FINDING_STATES = ['open', 'gone'] as const;
export type FindingState = (typeof FINDING_STATES)[number];
export const FINDING_SORT_KEYS = [
  'lastSeen',
  'firstSeen',
  'count',
  'ticks',
  'personas',
  'module',
  'tool',
  'class',
] as const;
export type FindingSortKey = (typeof FINDING_SORT_KEYS)[number];
/** A sort key, optionally prefixed with `-` for descending. */
export const FINDING_SORTS = FINDING_SORT_KEYS.flatMap((k) => [k, `-${k}`]);

export class FindingsReportQueryDto extends OffsetQueryDto {
  @ApiPropertyOptional({ description: 'Only findings on this module (e.g. todo).' })
  @IsOptional()
  @IsString({ message: 'module must be a module name' })
  @MaxLength(100, { message: 'module must be at most 100 characters' })
  module?: string;

  @ApiPropertyOptional({ enum: FINDING_CLASSES })
  @IsOptional()
  @IsIn(FINDING_CLASSES, { message: `class must be one of ${FINDING_CLASSES.join(', ')}` })
  class?: FindingClass;

  @ApiPropertyOptional({
    enum: FINDING_STATES,
    description: 'open: among the 3 newest ticks that used the tool, one showed it; gone otherwise.',
  })
  @IsOptional()
  @IsIn(FINDING_STATES, { message: `state must be one of ${FINDING_STATES.join(', ')}` })
  state?: FindingState;

  @ApiPropertyOptional({
    description: "List the personas' own mistakes (their invalid input) instead of the app's findings.",
    default: false,
  })
  @IsOptional()
  @Transform(({ value }) => (value === 'true' ? true : value === 'false' ? false : value))
  @IsBoolean({ message: 'personaMistakes must be true or false' })
  personaMistakes?: boolean;

  @ApiPropertyOptional({ enum: FINDING_SORTS, default: '-lastSeen' })
  @IsOptional()
  @IsIn(FINDING_SORTS, {
    message: `sort must be one of ${FINDING_SORT_KEYS.join(', ')} (prefix - for descending)`,
  })
  sort?: string;

  @ApiPropertyOptional({
    format: 'uuid',
    description:
      "Only the groups this persona saw (one of its findings in the range); each group's figures, samples and seenBy stay every persona's.",
  })
  @IsOptional()
  @IsUUID('all', { message: 'personaId must be a persona user id (uuid)' })
  personaId?: string;

  @ApiPropertyOptional({
    enum: FINDINGS_FORMATS,
    default: 'json',
    description:
      'csv: the same page of groups (same filters, sort, limit and offset) as a CSV file, one row per group.',
  })
  @IsOptional()
  @IsIn(FINDINGS_FORMATS, { message: `format must be one of ${FINDINGS_FORMATS.join(', ')}` })
  format?: FindingsFormat;
}
