import { Column, Entity, UpdateDateColumn } from 'typeorm';
import { EncryptedColumn } from '../../crypto/encrypted-column.decorator.js';
import { SpaceScopedEntity } from '../common/space-scoped.entity.js';

/** An event of a space's calendar; title, description and location are encrypted. */
@Entity({ name: 'calendar_events' })
export class CalendarEventEntity extends SpaceScopedEntity {
  @EncryptedColumn()
  title!: string;

  @EncryptedColumn({ nullable: true })
  description!: string | null;

  @EncryptedColumn({ nullable: true })
  location!: string | null;

  @Column({ name: 'starts_at', type: 'timestamptz' })
  startsAt!: Date;

  @Column({ name: 'ends_at', type: 'timestamptz' })
  endsAt!: Date;

  @Column({ name: 'all_day', type: 'boolean' })
  allDay!: boolean;

  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' })
  updatedAt!: Date;
}
