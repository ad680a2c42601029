import { ApiProperty } from '@nestjs/swagger';
import { IsBoolean } from 'class-validator';

export class UpdateUserSettingsDto {
  @ApiProperty({
    description: 'Expose destructive MCP tools (habits.delete, todo.delete, …) to this account',
    example: true,
  })
  @IsBoolean({ message: 'destructiveTools must be true or false' })
  destructiveTools!: boolean;
}

export class UserSettingsResponseDto {
  @ApiProperty({ description: 'Destructive MCP tools are listed and callable for this account' })
  destructiveTools!: boolean;

  @ApiProperty({ nullable: true, type: String, description: 'When the settings last changed (null: never)' })
  updatedAt!: string | null;
}
