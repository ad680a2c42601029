import { Column, CreateDateColumn, PrimaryColumn } from 'typeorm';

/**
 * Columns every app table shares: rows belong to a space (never to a user), and who wrote them is
 * stamped in the actor columns. The id is chosen before the insert because it is part of the
 * encrypted fields' AAD.
 */
export abstract class SpaceScopedEntity {
  @PrimaryColumn({ type: 'uuid', default: () => 'gen_random_uuid()' })
  id!: string;

  @Column({ name: 'space_id', type: 'uuid' })
  spaceId!: string;

  @Column({ name: 'created_by', type: 'uuid', nullable: true })
  createdBy!: string | null;

  @Column({ name: 'last_actor', type: 'uuid', nullable: true })
  lastActor!: string | null;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;
}
