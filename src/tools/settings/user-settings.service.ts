import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { UserSettingsEntity } from './user-settings.entity.js';
import type { UserSettingsResponseDto } from './user-settings.dto.js';

/** The caller's own user-level settings. Read on every destructive tool call, so a change applies at once. */
@Injectable()
export class UserSettingsService {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  async get(userId: string): Promise<UserSettingsResponseDto> {
    const row = await this.dataSource.getRepository(UserSettingsEntity).findOne({ where: { userId } });
    return this.toResponse(row);
  }

  async destructiveToolsEnabled(userId: string): Promise<boolean> {
    const rows: Array<{ enabled: boolean }> = await this.dataSource.query(
      `SELECT destructive_tools_enabled AS enabled FROM user_settings WHERE user_id = $1`,
      [userId],
    );
    return rows[0]?.enabled === true;
  }

  async update(userId: string, patch: { destructiveTools: boolean }): Promise<UserSettingsResponseDto> {
    // an upsert in one statement: two concurrent PATCHes never race into a duplicate-key error
    await this.dataSource.query(
      `INSERT INTO user_settings (user_id, destructive_tools_enabled, updated_at) VALUES ($1, $2, now())
       ON CONFLICT (user_id) DO UPDATE SET destructive_tools_enabled = EXCLUDED.destructive_tools_enabled,
                                           updated_at = now()`,
      [userId, patch.destructiveTools],
    );
    return this.get(userId);
  }

  private toResponse(row: UserSettingsEntity | null): UserSettingsResponseDto {
    return {
      destructiveTools: row?.destructiveToolsEnabled ?? false,
      updatedAt: row ? row.updatedAt.toISOString() : null,
    };
  }
}
