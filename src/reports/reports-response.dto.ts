import { ApiProperty } from '@nestjs/swagger';
import { TICK_STATUSES } from '../personas/schedule/persona-schedule.types.js';

// ---- modules ----

export class ModuleBucketDto {
  @ApiProperty({ description: 'Bucket start, UTC date (weeks start on Monday).', example: '2025-03-03' })
  start!: string;
  @ApiProperty({ nullable: true, type: Number }) avgRating!: number | null;
  @ApiProperty() ratingCount!: number;
  @ApiProperty() toolCalls!: number;
  @ApiProperty({ description: 'Failed tool calls.' }) errors!: number;
  @ApiProperty({ description: 'errors ÷ toolCalls; null without calls.', nullable: true, type: Number })
  errorRate!: number | null;
}

export class RatingWindowDto {
  @ApiProperty() from!: string;
  @ApiProperty() to!: string;
  @ApiProperty() count!: number;
  @ApiProperty({ nullable: true, type: Number }) avg!: number | null;
}

export class RegressionDto {
  @ApiProperty() regressed!: boolean;
  @ApiProperty({ enum: ['too_few_recent', 'too_few_before', 'drop_too_small', 't_too_small', 'regressed'] })
  reason!: string;
  @ApiProperty({ type: RatingWindowDto }) last7!: RatingWindowDto;
  @ApiProperty({ type: RatingWindowDto }) prev21!: RatingWindowDto;
  @ApiProperty({ description: 'prev21.avg − last7.avg', nullable: true, type: Number }) drop!: number | null;
  @ApiProperty({
    description: "Welch's t; null when not computable (< 2 ratings in a window) or unbounded (no variance).",
    nullable: true,
    type: Number,
  })
  t!: number | null;
}

export class ModuleReportDto {
  @ApiProperty() module!: string;
  @ApiProperty({ type: [ModuleBucketDto], description: 'Only buckets with data, oldest first.' })
  buckets!: ModuleBucketDto[];
  @ApiProperty({ type: RegressionDto }) regression!: RegressionDto;
}

export class ModulesReportDto {
  @ApiProperty({ enum: ['week', 'day'] }) bucket!: string;
  @ApiProperty() from!: string;
  @ApiProperty() to!: string;
  @ApiProperty({ type: [String], description: 'Every bucket start in the range (the chart x axis).' })
  bucketStarts!: string[];
  @ApiProperty() regressionRule!: string;
  @ApiProperty({ type: [ModuleReportDto] }) items!: ModuleReportDto[];
  @ApiProperty({ nullable: true, type: String }) nextCursor!: string | null;
}

// ---- tools ----

export class ErrorKindsDto {
  @ApiProperty() protocol!: number;
  @ApiProperty() tool!: number;
  @ApiProperty() timeout!: number;
  @ApiProperty({ description: "Calls to a tool name that does not exist (the model's confusion)." })
  unknown_tool!: number;
}

export class LatencyDto {
  @ApiProperty({ nullable: true, type: Number }) p50!: number | null;
  @ApiProperty({ nullable: true, type: Number }) p95!: number | null;
  @ApiProperty({ nullable: true, type: Number }) p99!: number | null;
}

export class LastErrorDto {
  @ApiProperty({ nullable: true, type: String }) message!: string | null;
  @ApiProperty({ nullable: true, type: String }) kind!: string | null;
  @ApiProperty() at!: string;
}

export class ToolReportDto {
  @ApiProperty() tool!: string;
  @ApiProperty() module!: string;
  @ApiProperty() calls!: number;
  @ApiProperty() errors!: number;
  @ApiProperty({ nullable: true, type: Number }) errorRate!: number | null;
  @ApiProperty({ type: ErrorKindsDto, description: 'Error counts by kind.' }) errorsByKind!: ErrorKindsDto;
  @ApiProperty({ type: ErrorKindsDto, description: 'Error rates by kind (count ÷ calls).' })
  errorRateByKind!: ErrorKindsDto;
  @ApiProperty({ type: LatencyDto, description: 'percentile_cont over latency_ms, in ms.' })
  latencyMs!: LatencyDto;
  @ApiProperty({ type: LastErrorDto, nullable: true }) lastError!: LastErrorDto | null;
}

export class CoverageToolDto {
  @ApiProperty() tool!: string;
  @ApiProperty() module!: string;
}

export class CoverageDto {
  @ApiProperty({ description: 'Calls since this instant count (now − 7 days).' }) since!: string;
  @ApiProperty() userSpaceTools!: number;
  @ApiProperty({ type: [CoverageToolDto] }) uncalled!: CoverageToolDto[];
}

export class ToolsReportDto {
  @ApiProperty() from!: string;
  @ApiProperty() to!: string;
  @ApiProperty() sort!: string;
  @ApiProperty({ type: [ToolReportDto] }) items!: ToolReportDto[];
  @ApiProperty() total!: number;
  @ApiProperty() offset!: number;
  @ApiProperty({ type: CoverageDto }) coverage!: CoverageDto;
}

// ---- said vs did ----

export class FlaggedTickDto {
  @ApiProperty() tickId!: string;
  @ApiProperty({ enum: ['rated_high_but_failing', 'rated_low_without_cause'] }) flag!: string;
  @ApiProperty() rating!: number;
  @ApiProperty() calls!: number;
  @ApiProperty() errors!: number;
  @ApiProperty() at!: string;
}

export class SaidVsDidFlagsDto {
  @ApiProperty({ description: 'Ratings of 4–5 where ≥ 30% of that tick’s calls to the module failed.' })
  ratedHighButFailing!: number;
  @ApiProperty({ description: 'Ratings of 1–2 with no failed call in that tick and no notes.' })
  ratedLowWithoutCause!: number;
}

export class SaidVsDidRowDto {
  @ApiProperty() personaId!: string;
  @ApiProperty() email!: string;
  @ApiProperty({ nullable: true, type: String }) name!: string | null;
  @ApiProperty() module!: string;
  @ApiProperty() ratings!: number;
  @ApiProperty() avgRating!: number;
  @ApiProperty({ description: 'Calls to the module in the rated ticks.' }) calls!: number;
  @ApiProperty({
    description: 'Failed calls the app is answerable for (the persona’s own invalid input aside).',
  })
  errors!: number;
  @ApiProperty({ nullable: true, type: Number }) errorRate!: number | null;
  @ApiProperty({
    description:
      'Failed calls that were the persona’s own invalid input (persona-mistake findings); not in errors.',
  })
  personaMistakes!: number;
  @ApiProperty({ type: SaidVsDidFlagsDto }) flags!: SaidVsDidFlagsDto;
  @ApiProperty({ type: [FlaggedTickDto], description: 'Up to 5 newest flagged ratings.' })
  flaggedTicks!: FlaggedTickDto[];
}

export class SaidVsDidReportDto {
  @ApiProperty() from!: string;
  @ApiProperty() to!: string;
  @ApiProperty({ type: [SaidVsDidRowDto] }) items!: SaidVsDidRowDto[];
  @ApiProperty() total!: number;
  @ApiProperty() offset!: number;
}

// ---- ticks ----

export class TickRatingDto {
  @ApiProperty() module!: string;
  @ApiProperty() rating!: number;
  @ApiProperty({ nullable: true, type: String }) notes!: string | null;
  @ApiProperty() createdAt!: string;
}

export class TickSummaryDto {
  @ApiProperty() id!: string;
  @ApiProperty() personaId!: string;
  @ApiProperty() personaEmail!: string;
  @ApiProperty({ nullable: true, type: String }) personaName!: string | null;
  @ApiProperty({ enum: TICK_STATUSES }) status!: string;
  @ApiProperty() brain!: string;
  @ApiProperty({ nullable: true, type: String }) model!: string | null;
  @ApiProperty() startedAt!: string;
  @ApiProperty({ nullable: true, type: String }) finishedAt!: string | null;
  @ApiProperty({ nullable: true, type: Number }) durationMs!: number | null;
  @ApiProperty() toolCalls!: number;
  @ApiProperty({
    description:
      "The persona's own calls that failed (of toolCalls; the checks' probes, often refused on purpose, aside).",
  })
  errorCount!: number;
  @ApiProperty() ratingCount!: number;
  @ApiProperty({ nullable: true, type: Number }) avgRating!: number | null;
  @ApiProperty() tokensIn!: number;
  @ApiProperty() tokensOut!: number;
  @ApiProperty() costUsd!: number;
  @ApiProperty({ nullable: true, type: String }) error!: string | null;
  @ApiProperty({ nullable: true, type: String }) ratingError!: string | null;
}

export class TicksPageDto {
  @ApiProperty({ type: [TickSummaryDto] }) items!: TickSummaryDto[];
  @ApiProperty({ nullable: true, type: String }) nextCursor!: string | null;
}

export class TickActionDto {
  @ApiProperty() seq!: number;
  @ApiProperty() tool!: string;
  @ApiProperty() module!: string;
  @ApiProperty({ enum: ['ok', 'error'] }) result!: string;
  @ApiProperty({ nullable: true, type: String }) errorKind!: string | null;
  @ApiProperty({ nullable: true, type: String }) errorMessage!: string | null;
  @ApiProperty({ nullable: true, type: Number }) latencyMs!: number | null;
  @ApiProperty({
    enum: ['brain', 'oracle'],
    description: "brain: the persona's call; oracle: a probe of the checks",
  })
  origin!: string;
  @ApiProperty({
    nullable: true,
    type: String,
    description:
      'What the persona sent: JSON text, secrets redacted, cut at TRAJECTORY_MAX_BYTES with a marker ' +
      '(`…[cut: N of M bytes]`); null once TRAJECTORY_RETENTION_DAYS pruned it, or when the server cannot read it.',
  })
  input!: string | null;
  @ApiProperty({
    nullable: true,
    type: String,
    description: 'What the app answered (its structured answer as JSON, or its text), kept like `input`.',
  })
  output!: string | null;
  @ApiProperty() inputTruncated!: boolean;
  @ApiProperty() outputTruncated!: boolean;
  @ApiProperty() createdAt!: string;
}

export class TickFindingDto {
  @ApiProperty({ nullable: true, type: Number, description: 'seq of the call that showed it.' })
  seq!: number | null;
  @ApiProperty() module!: string;
  @ApiProperty() tool!: string;
  @ApiProperty({ enum: ['error', 'slow', 'wrong_result', 'lost_write', 'contract', 'confusing'] })
  class!: string;
  @ApiProperty() check!: string;
  @ApiProperty() expected!: string;
  @ApiProperty() got!: string;
  @ApiProperty({ enum: ['oracle', 'llm', 'call'] }) source!: string;
  @ApiProperty({ description: "true: the persona's own invalid input, not an app finding." })
  personaMistake!: boolean;
  @ApiProperty() createdAt!: string;
}

export class TickDetailDto extends TickSummaryDto {
  @ApiProperty({
    type: [String],
    description:
      "The persona's own words for the day: an LLM's text turns, or the scripted brain's day told in short first-person lines from what it did.",
  })
  words!: string[];
  @ApiProperty({ type: [TickActionDto], description: 'Ordered by seq; at most 500.' })
  actions!: TickActionDto[];
  @ApiProperty({ description: 'True when the tick has more than 500 recorded calls.' })
  actionsTruncated!: boolean;
  @ApiProperty({ type: [TickRatingDto] }) ratings!: TickRatingDto[];
  @ApiProperty({
    type: [TickFindingDto],
    description: 'What the persona found in this tick, by seq; at most 500.',
  })
  findings!: TickFindingDto[];
}

// ---- overview ----

export class PlantedNowDto {
  @ApiProperty() count!: number;
  @ApiProperty({ type: [String], description: 'Catalog ids of the planted faults, oldest plant first.' })
  defects!: string[];
}

export class OverviewDto {
  @ApiProperty({ description: 'Start of "today": 00:00 UTC of the current UTC day.' }) dayStart!: string;
  @ApiProperty() personas!: number;
  @ApiProperty() ticksToday!: number;
  @ApiProperty() failedTicksToday!: number;
  @ApiProperty() runningTicks!: number;
  @ApiProperty() toolCallsToday!: number;
  @ApiProperty() toolErrorsToday!: number;
  @ApiProperty({
    description: 'toolErrorsToday ÷ toolCallsToday; null without calls.',
    nullable: true,
    type: Number,
  })
  errorRateToday!: number | null;
  @ApiProperty() costUsdToday!: number;
  @ApiProperty({ description: 'All input tokens today: uncached + cache writes + cache reads.' })
  tokensInToday!: number;
  @ApiProperty({
    description: 'Of tokensInToday, read from the prompt cache (billed at the read multiplier).',
  })
  cacheReadTokensToday!: number;
  @ApiProperty({
    description: 'Of tokensInToday, written to the prompt cache (billed at the write multiplier).',
  })
  cacheWriteTokensToday!: number;
  @ApiProperty({ description: 'Of tokensInToday, neither read from nor written to the cache.' })
  uncachedInputTokensToday!: number;
  @ApiProperty({
    description: 'DAILY_BUDGET_USD, to compare costUsdToday with; null when there is no cap.',
    nullable: true,
    type: Number,
  })
  dailyBudgetUsd!: number | null;
  @ApiProperty() tokensOutToday!: number;
  @ApiProperty({ nullable: true, type: String }) lastTickAt!: string | null;
  @ApiProperty({
    description:
      'App finding groups (module, tool, class; persona mistakes excluded) in the last 28 days that are open now.',
  })
  openFindings!: number;
  @ApiProperty({ type: PlantedNowDto, description: 'Faults planted now (the dashboard shows a banner).' })
  plantedFaults!: PlantedNowDto;
}
