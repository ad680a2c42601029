import { Entity, UpdateDateColumn } from 'typeorm';
import { EncryptedColumn } from '../../crypto/encrypted-column.decorator.js';
import { SpaceScopedEntity } from '../common/space-scoped.entity.js';

/** A contact of a space; every contact detail is encrypted. */
@Entity({ name: 'contacts' })
export class ContactEntity extends SpaceScopedEntity {
  @EncryptedColumn()
  name!: string;

  @EncryptedColumn({ nullable: true })
  email!: string | null;

  @EncryptedColumn({ nullable: true })
  phone!: string | null;

  @EncryptedColumn({ nullable: true })
  notes!: string | null;

  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' })
  updatedAt!: Date;
}
