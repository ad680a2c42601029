import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsInt, IsNumber, IsOptional, IsString, Length, Max, MaxLength, Min } from 'class-validator';
import { MAX_DELAY_MS, MAX_NOTE_LENGTH } from '../config/fault-spec.js';
import { FAULT_CLASSES } from './fault-catalog.js';
import type { FaultClass } from './fault-catalog.js';

export class PlantFaultDto {
  @ApiProperty({
    example: 'todo.list.drops-newest',
    description: 'A catalog id (GET /api/v1/faults/catalog)',
  })
  @IsString({ message: 'defect must be a catalog id' })
  @Length(1, 100, { message: 'defect must be a catalog id' })
  defect!: string;

  @ApiPropertyOptional({
    minimum: 0,
    maximum: 1,
    description: "Share of calls it applies to; default the defect's",
  })
  @IsOptional()
  @IsNumber(
    { allowNaN: false, allowInfinity: false },
    { message: 'probability must be a number from 0 to 1' },
  )
  @Min(0, { message: 'probability must be a number from 0 to 1' })
  @Max(1, { message: 'probability must be a number from 0 to 1' })
  probability?: number;

  @ApiPropertyOptional({ minimum: 0, maximum: MAX_DELAY_MS, description: 'Slow defects only; default 3000' })
  @IsOptional()
  @IsInt({ message: `delayMs must be a whole number from 0 to ${MAX_DELAY_MS}` })
  @Min(0, { message: `delayMs must be a whole number from 0 to ${MAX_DELAY_MS}` })
  @Max(MAX_DELAY_MS, { message: `delayMs must be a whole number from 0 to ${MAX_DELAY_MS}` })
  delayMs?: number;

  @ApiPropertyOptional({ maxLength: MAX_NOTE_LENGTH, example: 'demo for the design review' })
  @IsOptional()
  @IsString({ message: 'note must be a string' })
  @MaxLength(MAX_NOTE_LENGTH, { message: `note must be at most ${MAX_NOTE_LENGTH} characters` })
  note?: string;
}

export class FaultParameterDto {
  @ApiProperty() default!: number;
  @ApiProperty() min!: number;
  @ApiProperty() max!: number;
  @ApiProperty() description!: string;
  @ApiPropertyOptional({ description: 'delayMs only: varied by ±50 % per call' }) jitter?: boolean;
}

export class FaultDefectDto {
  @ApiProperty({ example: 'todo.list.drops-newest' }) id!: string;
  @ApiProperty({ enum: FAULT_CLASSES }) class!: FaultClass;
  @ApiProperty({ example: 'todo' }) module!: string;
  @ApiProperty({ example: 'todo.list' }) tool!: string;
  @ApiProperty() description!: string;
  @ApiProperty({
    type: 'object',
    additionalProperties: { $ref: '#/components/schemas/FaultParameterDto' },
    description: 'probability always; delayMs for slow defects',
  })
  parameters!: Record<string, FaultParameterDto>;
}

export class FaultCatalogDto {
  @ApiProperty({ type: [FaultDefectDto] }) items!: FaultDefectDto[];
}

export class FaultDto {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty({ example: 'todo.list.drops-newest' }) defect!: string;
  @ApiProperty({ enum: FAULT_CLASSES }) class!: FaultClass;
  @ApiProperty() module!: string;
  @ApiProperty() tool!: string;
  @ApiProperty({ description: 'The probability in effect (the default when none was given)' })
  probability!: number;
  @ApiProperty({ type: Number, nullable: true, description: 'The delay in effect; null when not slow' })
  delayMs!: number | null;
  @ApiProperty({ type: String, nullable: true }) note!: string | null;
  @ApiProperty({ type: String, nullable: true, description: 'Admin id; null when planted by FAULTS' })
  plantedBy!: string | null;
  @ApiProperty() plantedAt!: string;
  @ApiProperty({ type: String, nullable: true }) clearedBy!: string | null;
  @ApiProperty({ type: String, nullable: true }) clearedAt!: string | null;
  @ApiProperty() active!: boolean;
}

export class FaultListDto {
  @ApiProperty({ type: [FaultDto], description: 'Active ones first, then the history, newest first' })
  items!: FaultDto[];
  @ApiProperty({ description: 'How many are active' }) active!: number;
}
