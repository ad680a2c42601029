import { ApiProperty } from '@nestjs/swagger';
import { IsEmail, IsIn, IsString, Length, MaxLength } from 'class-validator';
import { SHARED_SPACE_TYPES } from './space.entity.js';

export class CreateSpaceDto {
  @ApiProperty({ example: 'The Lindqvists' })
  @IsString()
  @Length(1, 100)
  name!: string;

  @ApiProperty({ enum: SHARED_SPACE_TYPES })
  @IsIn(SHARED_SPACE_TYPES, { message: `type must be one of ${SHARED_SPACE_TYPES.join(', ')}` })
  type!: string;
}

export class AddMemberDto {
  @ApiProperty()
  @IsEmail({}, { message: 'email must be an email address' })
  @MaxLength(254)
  email!: string;
}

export class SpaceResponseDto {
  @ApiProperty() id!: string;
  @ApiProperty() name!: string;
  @ApiProperty() type!: string;
  @ApiProperty({ enum: ['owner', 'member'] }) role!: string;
  @ApiProperty() createdAt!: string;
}

export class SpaceMemberResponseDto {
  @ApiProperty() userId!: string;
  @ApiProperty() email!: string;
  @ApiProperty({ enum: ['owner', 'member'] }) role!: string;
}
