import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';

export class TickSummaryDto {
  @ApiProperty({ nullable: true, type: String, description: 'null when the tick never started (lease lost)' })
  tickId!: string | null;
  @ApiProperty() personaId!: string;
  @ApiProperty({ enum: ['ok', 'failed', 'timed_out', 'aborted', 'budget_exceeded', 'skipped'] })
  status!: string;
  @ApiProperty({ enum: ['anthropic', 'scripted'] }) brain!: string;
  @ApiProperty({ nullable: true, type: String }) model!: string | null;
  @ApiProperty() toolCalls!: number;
  @ApiProperty() tokensIn!: number;
  @ApiProperty() tokensOut!: number;
  @ApiProperty({ description: 'USD, from the configured price table' }) costUsd!: number;
  @ApiProperty({ description: 'modules rated in the rating turn' }) ratings!: number;
  @ApiProperty({ nullable: true, type: String }) error!: string | null;
  @ApiProperty({ nullable: true, type: String }) ratingError!: string | null;
  @ApiProperty() durationMs!: number;
  @ApiProperty({
    description: 'false when another runner took the lease over and this result was not written',
  })
  recorded!: boolean;
}

export class RunSummaryDto {
  @ApiProperty() instanceId!: string;
  @ApiProperty() startedAt!: string;
  @ApiProperty() finishedAt!: string;
  @ApiProperty() durationMs!: number;
  @ApiProperty({ description: 'ticks run in this firing' }) ticks!: number;
  @ApiProperty() ok!: number;
  @ApiProperty() failed!: number;
  @ApiProperty() timedOut!: number;
  @ApiProperty() toolCalls!: number;
  @ApiPropertyOptional({ description: 'why nothing was claimed: paused, brain-paused, stopping' })
  skippedReason?: string;
}

export class BrainStateDto {
  @ApiProperty({ enum: ['anthropic', 'scripted'] }) name!: string;
  @ApiProperty({ nullable: true, type: String }) model!: string | null;
  @ApiProperty() paused!: boolean;
  @ApiProperty({ nullable: true, type: String }) pausedReason!: string | null;
  @ApiProperty({ nullable: true, type: String }) pausedSince!: string | null;
}

export class RunnerStateDto {
  @ApiProperty() instanceId!: string;
  @ApiProperty({ description: 'RUNNER_ENABLED: scheduled firings at all' }) enabled!: boolean;
  @ApiProperty() paused!: boolean;
  @ApiProperty() stopping!: boolean;
  @ApiProperty() cron!: string;
  @ApiProperty() concurrency!: number;
  @ApiProperty({ description: 'ticks running in this process now' }) inFlight!: number;
  @ApiProperty({ nullable: true, type: String }) lastRunAt!: string | null;
  @ApiProperty({ nullable: true, type: RunSummaryDto }) lastRunSummary!: RunSummaryDto | null;
  @ApiProperty({ type: BrainStateDto }) brain!: BrainStateDto;
}
