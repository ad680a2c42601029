import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { FaultEntity } from './fault.entity.js';
import type { FaultSpec } from '../config/fault-spec.js';

/** How much history GET /api/v1/faults answers (the active ones always come with it). */
export const FAULT_HISTORY_LIMIT = 500;

/** The `faults` table's statements; FaultsService is their only caller. */
@Injectable()
export class FaultsRepository {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  private get repo() {
    return this.dataSource.getRepository(FaultEntity);
  }

  insert(spec: FaultSpec, plantedBy: string | null): Promise<FaultEntity> {
    return this.repo.save(
      this.repo.create({
        defect: spec.defect,
        probability: spec.probability ?? null,
        delayMs: spec.delayMs ?? null,
        note: spec.note ?? null,
        plantedBy,
      }),
    );
  }

  /**
   * Plants `spec` unless that defect is already active, in one statement, so instances booting with
   * the same FAULTS plant it once. (Two instances booting in the same instant may both insert; two
   * active rows of one defect act as one.)
   */
  async insertUnlessActive(spec: FaultSpec): Promise<FaultEntity | undefined> {
    const rows: Array<{ id: string }> = await this.dataSource.query(
      `INSERT INTO faults (defect, probability, delay_ms, note)
       SELECT $1, $2, $3, $4
        WHERE NOT EXISTS (SELECT 1 FROM faults WHERE defect = $1 AND cleared_at IS NULL)
       RETURNING id`,
      [spec.defect, spec.probability ?? null, spec.delayMs ?? null, spec.note ?? 'planted at boot by FAULTS'],
    );
    return rows.length > 0 ? ((await this.repo.findOneBy({ id: rows[0].id })) ?? undefined) : undefined;
  }

  /**
   * Clears an active fault and answers the row; an already cleared one is answered unchanged
   * (clearing is idempotent); undefined when there is no such fault.
   */
  async clear(id: string, clearedBy: string): Promise<{ row: FaultEntity; cleared: boolean } | undefined> {
    const result = await this.repo
      .createQueryBuilder()
      .update(FaultEntity)
      .set({ clearedAt: () => 'now()', clearedBy })
      .where('id = :id AND cleared_at IS NULL', { id })
      .execute();
    const row = await this.repo.findOneBy({ id });
    return row ? { row, cleared: (result.affected ?? 0) > 0 } : undefined;
  }

  /** The poll: served by the partial index ix_faults_active. */
  active(): Promise<FaultEntity[]> {
    return this.repo
      .createQueryBuilder('f')
      .where('f.clearedAt IS NULL')
      .orderBy('f.plantedAt', 'ASC')
      .addOrderBy('f.id', 'ASC')
      .getMany();
  }

  /** Active faults first (newest plant first), then the history, the latest cleared first. */
  all(): Promise<FaultEntity[]> {
    return this.repo
      .createQueryBuilder('f')
      .orderBy('f.clearedAt', 'DESC', 'NULLS FIRST')
      .addOrderBy('f.plantedAt', 'DESC')
      .addOrderBy('f.id', 'ASC')
      .limit(FAULT_HISTORY_LIMIT)
      .getMany();
  }
}
