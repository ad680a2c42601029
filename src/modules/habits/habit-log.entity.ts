import { Column, Entity } from 'typeorm';
import { SpaceScopedEntity } from '../common/space-scoped.entity.js';

/** One check-in of a habit on one day (unique per habit and day). */
@Entity({ name: 'habit_logs' })
export class HabitLogEntity extends SpaceScopedEntity {
  @Column({ name: 'habit_id', type: 'uuid' })
  habitId!: string;

  @Column({ type: 'date' })
  day!: string;

  @Column({ type: 'integer' })
  count!: number;
}
