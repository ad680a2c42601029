import { Column, CreateDateColumn, Entity, PrimaryColumn } from 'typeorm';

export type SpaceRole = 'owner' | 'member';

@Entity({ name: 'space_members' })
export class SpaceMemberEntity {
  @PrimaryColumn({ name: 'space_id', type: 'uuid' })
  spaceId!: string;

  @PrimaryColumn({ name: 'user_id', type: 'uuid' })
  userId!: string;

  @Column({ type: 'text' })
  role!: SpaceRole;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;
}
