import { ApiProperty } from '@nestjs/swagger';
import { IsInt, IsString, Length, Max, Min } from 'class-validator';
import { PAT_MAX_DAYS } from './personal-access-token.service.js';

export class CreatePersonalAccessTokenDto {
  @ApiProperty({ example: 'Claude Desktop on my laptop' })
  @IsString()
  @Length(1, 100)
  name!: string;

  @ApiProperty({ minimum: 1, maximum: PAT_MAX_DAYS, example: 90 })
  @IsInt()
  @Min(1)
  @Max(PAT_MAX_DAYS, { message: `expiresInDays must be at most ${PAT_MAX_DAYS}` })
  expiresInDays!: number;
}

export class PersonalAccessTokenResponseDto {
  @ApiProperty() id!: string;
  @ApiProperty() name!: string;
  @ApiProperty() createdAt!: string;
  @ApiProperty() expiresAt!: string;
  @ApiProperty({ nullable: true, type: String }) lastUsedAt!: string | null;
}

export class CreatedPersonalAccessTokenDto extends PersonalAccessTokenResponseDto {
  @ApiProperty({ description: 'The token itself: shown this once, stored only as a hash' })
  token!: string;
}

export class PersonalAccessTokenListDto {
  @ApiProperty({ type: [PersonalAccessTokenResponseDto] })
  items!: PersonalAccessTokenResponseDto[];
}
