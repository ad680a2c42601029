import { ApiProperty } from '@nestjs/swagger';

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
