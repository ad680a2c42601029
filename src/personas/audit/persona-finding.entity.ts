import { Column, CreateDateColumn, Entity, PrimaryColumn } from 'typeorm';
import type { FindingClass, FindingSource } from '../schedule/persona-schedule.types.js';

/**
 * What a persona noticed was wrong, tied to the call that showed it.
 * id = `{tickId}-{seq ?? 'none'}-{check}` (deterministic, idempotent).
 */
@Entity({ name: 'persona_findings' })
export class PersonaFindingEntity {
  @PrimaryColumn({ type: 'text' })
  id!: string;

  @Column({ name: 'persona_id', type: 'uuid' })
  personaId!: string;

  @Column({ name: 'tick_id', type: 'uuid' })
  tickId!: string;

  /** persona_actions.seq of the call that showed it; null when no single call did. */
  @Column({ type: 'integer', nullable: true })
  seq!: number | null;

  @Column({ type: 'text' })
  module!: string;

  @Column({ type: 'text' })
  tool!: string;

  @Column({ type: 'text' })
  class!: FindingClass;

  @Column({ name: 'check_name', type: 'text' })
  checkName!: string;

  @Column({ type: 'text' })
  expected!: string;

  @Column({ type: 'text' })
  got!: string;

  @Column({ type: 'text' })
  source!: FindingSource;

  /** The persona caused it with its own invalid input: not an app finding. */
  @Column({ name: 'persona_mistake', type: 'boolean', default: false })
  personaMistake!: boolean;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;
}
