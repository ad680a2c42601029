import { Column, CreateDateColumn, Entity, PrimaryColumn } from 'typeorm';

/** A shared space's own data key, wrapped by MASTER_KEK. Personal spaces use the owner's user key. */
@Entity({ name: 'space_keys' })
export class SpaceKeyEntity {
  @PrimaryColumn({ name: 'space_id', type: 'uuid' })
  spaceId!: string;

  @Column({ name: 'wrapped_key', type: 'text' })
  wrappedKey!: string;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;
}
