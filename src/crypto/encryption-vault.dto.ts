import { ApiProperty } from '@nestjs/swagger';
import { IsNotEmpty, IsString, MaxLength } from 'class-validator';

export class VaultKeyResponseDto {
  @ApiProperty({ description: 'The personal master key, 32 bytes, base64' })
  key!: string;
  @ApiProperty({ example: 'AES-256-GCM' })
  algorithm!: string;
  @ApiProperty({ example: 'enc:1:<b64 iv>.<b64 ciphertext+tag>; AAD ["mana-field",1,table,column,rowId]' })
  format!: string;
  @ApiProperty({ example: false })
  zeroKnowledge!: boolean;
}

export class VaultStatusResponseDto {
  @ApiProperty()
  zeroKnowledge!: boolean;
  @ApiProperty()
  message!: string;
}

export class ZeroKnowledgeResponseDto extends VaultKeyResponseDto {
  @ApiProperty({ description: 'What the server did, and what the client must do now' })
  message!: string;
}

/** Re-authentication for the vault routes that hand out or destroy the key. */
export class VaultPasswordDto {
  @ApiProperty({
    description:
      'Your account password, checked again on every call (a bearer token alone is not enough to export ' +
      'or destroy the key). Attempts are rate-limited like login.',
    format: 'password',
  })
  @IsString({ message: 'password must be your account password (a string)' })
  @IsNotEmpty({ message: 'password is required: the vault checks your account password again' })
  @MaxLength(1024, { message: 'password must be at most 1024 characters' })
  password!: string;
}
