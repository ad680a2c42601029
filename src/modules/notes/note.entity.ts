import { Column, Entity, UpdateDateColumn } from 'typeorm';
import { EncryptedColumn } from '../../crypto/encrypted-column.decorator.js';
import { SpaceScopedEntity } from '../common/space-scoped.entity.js';

/** A note of a space; title and content are encrypted. */
@Entity({ name: 'notes' })
export class NoteEntity extends SpaceScopedEntity {
  @EncryptedColumn()
  title!: string;

  @EncryptedColumn()
  content!: string;

  @Column({ name: 'archived_at', type: 'timestamptz', nullable: true })
  archivedAt!: Date | null;

  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' })
  updatedAt!: Date;
}
