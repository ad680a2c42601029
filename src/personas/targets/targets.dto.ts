import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import {
  ArrayMaxSize,
  IsArray,
  IsIn,
  IsString,
  Length,
  MaxLength,
  Validate,
  ValidateIf,
} from 'class-validator';
import type { SemanticsDocument } from '../../tool-contract/semantics-document.js';
import { LimitQueryDto } from '../api/personas.dto.js';
import { TARGET_LIMITS } from './target-draft.js';
import { EnvMapRule, HeaderMapRule, SemanticsRule, TargetUrlRule } from './target-fields.validator.js';
import { TARGET_KINDS } from './target.types.js';
import type { TargetKind } from './target.types.js';

const given = (_: object, value: unknown) => value !== undefined;
const givenNotNull = (_: object, value: unknown) => value !== undefined && value !== null;
const KINDS_MESSAGE = `kind must be one of ${TARGET_KINDS.join(', ')}`;
const NAME_MESSAGE = `name must be a string of 1–${TARGET_LIMITS.name} characters`;

/** The fields both a create and a PATCH may carry, each checked on its own (its kind's rules: the service). */
export class TargetOptionsDto {
  @ApiPropertyOptional({
    description: 'http: the Streamable HTTP address (no user:password@; credentials go in headers)',
    example: 'https://mcp.example.com/mcp',
  })
  @ValidateIf(given)
  @Validate(TargetUrlRule)
  url?: string;

  @ApiPropertyOptional({
    description:
      'stdio: a command line, split as a shell would and started without one; with `args`, the executable alone',
    example: 'npx -y @modelcontextprotocol/server-memory',
  })
  @ValidateIf(given)
  @IsString({ message: 'command must be a string' })
  @Length(1, TARGET_LIMITS.command, { message: `command must be 1–${TARGET_LIMITS.command} characters` })
  command?: string;

  @ApiPropertyOptional({
    type: [String],
    description: 'stdio: the arguments, when `command` is the executable alone',
  })
  @ValidateIf(given)
  @IsArray({ message: 'args must be an array of strings' })
  @ArrayMaxSize(TARGET_LIMITS.args, { message: `args may hold at most ${TARGET_LIMITS.args} words` })
  @IsString({ each: true, message: 'args must be an array of strings' })
  @MaxLength(TARGET_LIMITS.arg, {
    each: true,
    message: `each of args must be at most ${TARGET_LIMITS.arg} characters`,
  })
  args?: string[];

  @ApiPropertyOptional({
    type: 'object',
    additionalProperties: { type: 'string' },
    nullable: true,
    description:
      'http: header name → value, sent on every request; write-only (answered as headerNames). PATCH: replaces the map, null clears',
    example: { Authorization: 'Bearer <token>' },
  })
  @ValidateIf(givenNotNull)
  @Validate(HeaderMapRule)
  headers?: Record<string, string> | null;

  @ApiPropertyOptional({
    type: 'object',
    additionalProperties: { type: 'string' },
    nullable: true,
    description:
      "stdio: variables added to the command's environment; write-only (answered as envNames). PATCH: replaces the map, null clears",
    example: { API_KEY: '<key>' },
  })
  @ValidateIf(givenNotNull)
  @Validate(EnvMapRule)
  env?: Record<string, string> | null;

  @ApiPropertyOptional({
    type: 'object',
    additionalProperties: true,
    nullable: true,
    description: 'What the tools promise: a semantics document (catalog/semantics.schema.json); null clears',
    example: { tools: { create_entities: { effect: 'create', entity: 'entity', idempotent: false } } },
  })
  @ValidateIf(givenNotNull)
  @Validate(SemanticsRule)
  semantics?: SemanticsDocument | null;
}

export class CreateTargetDto extends TargetOptionsDto {
  @ApiProperty({ example: 'staging', maxLength: TARGET_LIMITS.name, description: 'Unique, ignoring case' })
  @IsString({ message: NAME_MESSAGE })
  @Length(1, TARGET_LIMITS.name, { message: NAME_MESSAGE })
  name!: string;

  @ApiProperty({ enum: TARGET_KINDS })
  @IsIn(TARGET_KINDS, { message: KINDS_MESSAGE })
  kind!: TargetKind;
}

/** PATCH: given fields replace, `null` clears (headers, env, semantics), omitted fields are kept. */
export class UpdateTargetDto extends TargetOptionsDto {
  @ApiPropertyOptional({ maxLength: TARGET_LIMITS.name })
  @ValidateIf(given)
  @IsString({ message: NAME_MESSAGE })
  @Length(1, TARGET_LIMITS.name, { message: NAME_MESSAGE })
  name?: string;

  @ApiPropertyOptional({
    enum: TARGET_KINDS,
    description: "A new kind drops the old kind's fields: send the new kind's with it",
  })
  @ValidateIf(given)
  @IsIn(TARGET_KINDS, { message: KINDS_MESSAGE })
  kind?: TargetKind;
}

export class ListTargetsQueryDto extends LimitQueryDto {
  @ApiPropertyOptional({ description: 'nextCursor of the previous page' })
  @ValidateIf(given)
  @IsString({ message: 'cursor must be a string' })
  @MaxLength(200, { message: 'cursor must be at most 200 characters' })
  cursor?: string;
}

/** A target as the API answers it: names of its secrets, never their values. */
export class TargetResponseDto {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty() name!: string;
  @ApiProperty({ enum: TARGET_KINDS }) kind!: TargetKind;
  @ApiProperty({ nullable: true, type: String }) url!: string | null;
  @ApiProperty({ nullable: true, type: String }) command!: string | null;
  @ApiProperty({ type: [String] }) args!: string[];
  @ApiProperty({ type: [String], description: 'names of the stored headers (values are never answered)' })
  headerNames!: string[];
  @ApiProperty({ type: [String], description: 'names of the stored environment variables' })
  envNames!: string[];
  @ApiProperty({ type: [String], description: 'tools the semantics document declares' })
  semanticsTools!: string[];
  @ApiProperty({ description: 'how many personas play this target' }) personas!: number;
  @ApiProperty() createdAt!: string;
  @ApiProperty() updatedAt!: string;
}

export class TargetListDto {
  @ApiProperty({ type: [TargetResponseDto] }) items!: TargetResponseDto[];
  @ApiProperty({ nullable: true, type: String }) nextCursor!: string | null;
}
