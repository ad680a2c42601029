import { Column, Entity, UpdateDateColumn } from 'typeorm';
import { EncryptedColumn } from '../../crypto/encrypted-column.decorator.js';
import { SpaceScopedEntity } from '../common/space-scoped.entity.js';

export const TASK_PRIORITIES = ['low', 'medium', 'high', 'urgent'] as const;
export type TaskPriority = (typeof TASK_PRIORITIES)[number];
export const TASK_STATUSES = ['open', 'done'] as const;
export type TaskStatus = (typeof TASK_STATUSES)[number];

/** A to-do of a space. Title, description and subtasks (a JSON array) are encrypted. */
@Entity({ name: 'tasks' })
export class TaskEntity extends SpaceScopedEntity {
  @EncryptedColumn()
  title!: string;

  @EncryptedColumn({ nullable: true })
  description!: string | null;

  /** JSON `[{ "title": string, "done": boolean }]`, encrypted as one field. */
  @EncryptedColumn({ nullable: true })
  subtasks!: string | null;

  @Column({ type: 'text' })
  priority!: TaskPriority;

  @Column({ name: 'due_date', type: 'date', nullable: true })
  dueDate!: string | null;

  @Column({ type: 'text' })
  status!: TaskStatus;

  @Column({ name: 'completed_at', type: 'timestamptz', nullable: true })
  completedAt!: Date | null;

  @Column({ type: 'integer' })
  position!: number;

  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' })
  updatedAt!: Date;
}
