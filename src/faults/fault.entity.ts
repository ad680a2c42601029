import { Column, Entity, PrimaryGeneratedColumn } from 'typeorm';

/**
 * A planted defect: active while `clearedAt` is null, kept afterwards as history. Written only by
 * FaultsService (src/faults); every instance on the database polls the active ones.
 */
@Entity({ name: 'faults' })
export class FaultEntity {
  @PrimaryGeneratedColumn('uuid')
  id!: string;

  /** A FAULT_CATALOG id. */
  @Column({ type: 'text' })
  defect!: string;

  /** null: the defect's default. */
  @Column({ type: 'double precision', nullable: true })
  probability!: number | null;

  /** null: the defect's default (slow defects only). */
  @Column({ name: 'delay_ms', type: 'integer', nullable: true })
  delayMs!: number | null;

  @Column({ type: 'text', nullable: true })
  note!: string | null;

  /** The admin who planted it; null for `FAULTS` at boot or a deleted account. */
  @Column({ name: 'planted_by', type: 'uuid', nullable: true })
  plantedBy!: string | null;

  @Column({ name: 'planted_at', type: 'timestamptz', default: () => 'now()' })
  plantedAt!: Date;

  @Column({ name: 'cleared_by', type: 'uuid', nullable: true })
  clearedBy!: string | null;

  @Column({ name: 'cleared_at', type: 'timestamptz', nullable: true })
  clearedAt!: Date | null;
}
