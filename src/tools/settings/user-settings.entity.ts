import { Column, Entity, PrimaryColumn, UpdateDateColumn } from 'typeorm';

/** User-level settings (not space-scoped); a missing row means every default. */
@Entity({ name: 'user_settings' })
export class UserSettingsEntity {
  @PrimaryColumn({ name: 'user_id', type: 'uuid' })
  userId!: string;

  /** Opt-in for destructive MCP tools (delete): listed and callable only when true. */
  @Column({ name: 'destructive_tools_enabled', type: 'boolean', default: false })
  destructiveToolsEnabled!: boolean;

  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' })
  updatedAt!: Date;
}
