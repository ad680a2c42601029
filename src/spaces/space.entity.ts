import { Column, CreateDateColumn, Entity, PrimaryGeneratedColumn } from 'typeorm';

export const SPACE_TYPES = ['personal', 'family', 'team', 'practice', 'brand', 'club'] as const;
export type SpaceType = (typeof SPACE_TYPES)[number];
export const SHARED_SPACE_TYPES = SPACE_TYPES.filter((t) => t !== 'personal');

@Entity({ name: 'spaces' })
export class SpaceEntity {
  @PrimaryGeneratedColumn('uuid')
  id!: string;

  @Column({ type: 'text' })
  name!: string;

  @Column({ type: 'text' })
  type!: SpaceType;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;
}
