import { Column, CreateDateColumn, Entity, PrimaryColumn, UpdateDateColumn } from 'typeorm';
import type { ModuleMix, TickCadence } from './schedule/persona-schedule.types.js';

@Entity({ name: 'personas' })
export class PersonaEntity {
  /** The persona's user id: a persona is a real account. */
  @PrimaryColumn({ name: 'user_id', type: 'uuid' })
  userId!: string;

  @Column({ type: 'text' })
  archetype!: string;

  @Column({ name: 'system_prompt', type: 'text' })
  systemPrompt!: string;

  @Column({ name: 'module_mix', type: 'jsonb' })
  moduleMix!: ModuleMix;

  @Column({ name: 'tick_cadence', type: 'text', default: 'daily' })
  tickCadence!: TickCadence;

  @Column({ type: 'text', default: 'UTC' })
  timezone!: string;

  @Column({ name: 'last_active_at', type: 'timestamptz', nullable: true })
  lastActiveAt!: Date | null;

  /** When the persona may tick next; null means due now. */
  @Column({ name: 'next_due_at', type: 'timestamptz', nullable: true })
  nextDueAt!: Date | null;

  @Column({ name: 'consecutive_failures', type: 'integer', default: 0 })
  consecutiveFailures!: number;

  @Column({ name: 'lease_owner', type: 'text', nullable: true })
  leaseOwner!: string | null;

  @Column({ name: 'lease_expires_at', type: 'timestamptz', nullable: true })
  leaseExpiresAt!: Date | null;

  /** Fencing token of the current claim: only the holder of this token may finish the tick. */
  @Column({ name: 'lease_token', type: 'uuid', nullable: true })
  leaseToken!: string | null;

  /** The MCP server the persona plays (targets.id); null: the built-in app. */
  @Column({ name: 'target_id', type: 'uuid', nullable: true })
  targetId!: string | null;

  /** enc:1 ciphertext of the persona's own headers for its target, bound to persona and target. */
  @Column({ name: 'target_secrets', type: 'text', nullable: true })
  targetSecrets!: string | null;

  @Column({ name: 'target_header_names', type: 'jsonb', default: () => `'[]'::jsonb` })
  targetHeaderNames!: string[];

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;

  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' })
  updatedAt!: Date;
}
