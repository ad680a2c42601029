import { Column, Entity, UpdateDateColumn } from 'typeorm';
import { SpaceScopedEntity } from '../common/space-scoped.entity.js';

export const HABIT_PERIODS = ['day', 'week'] as const;
export type HabitPeriod = (typeof HABIT_PERIODS)[number];

/** A habit of a space. Plaintext on purpose: habits stay usable in zero-knowledge mode. */
@Entity({ name: 'habits' })
export class HabitEntity extends SpaceScopedEntity {
  @Column({ type: 'text' })
  title!: string;

  @Column({ type: 'text', nullable: true })
  emoji!: string | null;

  @Column({ type: 'text', nullable: true })
  color!: string | null;

  @Column({ name: 'target_count', type: 'integer', nullable: true })
  targetCount!: number | null;

  @Column({ name: 'target_period', type: 'text', nullable: true })
  targetPeriod!: HabitPeriod | null;

  @Column({ type: 'integer' })
  position!: number;

  @Column({ name: 'archived_at', type: 'timestamptz', nullable: true })
  archivedAt!: Date | null;

  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' })
  updatedAt!: Date;
}
