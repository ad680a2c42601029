import { Inject, Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { randomUUID } from 'node:crypto';
import { DataSource, QueryFailedError } from 'typeorm';
import type { EntityManager, FindOptionsOrder, FindOptionsWhere } from 'typeorm';
import type { QueryDeepPartialEntity } from 'typeorm/query-builder/QueryPartialEntity.js';
import { EntityCipher } from '../../crypto/entity-cipher.service.js';
import type { Decrypted, EntityClass } from '../../crypto/entity-cipher.service.js';
import type { ToolContext } from '../../tools/tool.types.js';
import type { SpaceScopedEntity } from './space-scoped.entity.js';

/** What the repository needs from a tool call: the active space, the actor, and the space key on demand. */
export type SpaceScope = Pick<ToolContext, 'spaceId' | 'spaceKey'> & { user: { id: string } };

/** The values a caller may set; id, space and actor columns are the repository's. */
export type WritableFields<T> = Omit<Partial<T>, keyof SpaceScopedEntity | 'updatedAt'>;

export interface FindInSpace<T> {
  where?: FindOptionsWhere<T>;
  order?: FindOptionsOrder<T>;
  take?: number;
}

/**
 * The one door to space-scoped app tables. Every query is pinned to the caller's active space
 * (`WHERE id = … AND space_id = …`), actor columns are stamped, and the entity's @EncryptedColumn
 * fields are encrypted on write and decrypted on read (the space key is fetched only for entities
 * that have such fields, so plaintext tools keep working for zero-knowledge users).
 */
@Injectable()
export class SpaceDataRepository {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    @Inject(EntityCipher) private readonly cipher: EntityCipher,
  ) {}

  /**
   * Inserts a row and returns it as the caller will read it (plaintext, with the server-filled
   * columns from RETURNING), in one statement.
   *
   * With `position`, the row takes the next position of its space. Fast path: the position is
   * computed inside the INSERT and the unique index (space_id, position) rejects a concurrent twin,
   * which retries. After a few collisions (a burst of creates in one space) the insert moves to a
   * short transaction holding a per-(table, space) advisory lock, so a burst is serialised rather
   * than retried without end.
   */
  async insert<T extends SpaceScopedEntity>(
    entity: EntityClass<T>,
    scope: SpaceScope,
    values: WritableFields<T>,
    options: { position?: boolean } = {},
  ): Promise<Decrypted<T>> {
    const id = randomUUID();
    const key = await this.keyFor(entity, scope);
    const plain = {
      ...values,
      id,
      spaceId: scope.spaceId,
      createdBy: scope.user.id,
      lastActor: scope.user.id,
    };
    const stored = (
      key ? this.cipher.encrypt(entity, key, id, plain as Partial<T>) : plain
    ) as QueryDeepPartialEntity<T>;
    const returned = options.position
      ? await this.insertAtNextPosition(entity, scope.spaceId, stored)
      : await this.insertReturning(this.dataSource.manager, entity, stored);
    return { ...this.hydrate(entity, returned), ...plain, unreadableFields: [] } as unknown as Decrypted<T>;
  }

  async findById<T extends SpaceScopedEntity>(
    entity: EntityClass<T>,
    scope: SpaceScope,
    id: string,
  ): Promise<Decrypted<T> | null> {
    const key = await this.keyFor(entity, scope);
    return this.readOne(entity, scope.spaceId, id, key);
  }

  async find<T extends SpaceScopedEntity>(
    entity: EntityClass<T>,
    scope: SpaceScope,
    options: FindInSpace<T> = {},
  ): Promise<Array<Decrypted<T>>> {
    const key = await this.keyFor(entity, scope);
    const rows = await this.dataSource.getRepository(entity).find({
      where: { ...options.where, spaceId: scope.spaceId } as FindOptionsWhere<T>,
      order: options.order,
      take: options.take,
    });
    return rows.map((r) => this.open(entity, key, r));
  }

  /** Updates the row if it is in the active space; null when it is not (nothing is written then). */
  async update<T extends SpaceScopedEntity>(
    entity: EntityClass<T>,
    scope: SpaceScope,
    id: string,
    patch: WritableFields<T>,
  ): Promise<Decrypted<T> | null> {
    const key = await this.keyFor(entity, scope);
    const stored = key ? this.cipher.encrypt(entity, key, id, patch as Partial<T>) : patch;
    const result = await this.dataSource.getRepository(entity).update(
      { id, spaceId: scope.spaceId } as FindOptionsWhere<T>,
      {
        ...stored,
        lastActor: scope.user.id,
      } as QueryDeepPartialEntity<T>,
    );
    if (!result.affected) return null;
    return this.readOne(entity, scope.spaceId, id, key);
  }

  /** Deletes the row if it is in the active space; false when it is not. */
  async delete<T extends SpaceScopedEntity>(
    entity: EntityClass<T>,
    scope: SpaceScope,
    id: string,
  ): Promise<boolean> {
    const result = await this.dataSource
      .getRepository(entity)
      .delete({ id, spaceId: scope.spaceId } as FindOptionsWhere<T>);
    return (result.affected ?? 0) > 0;
  }

  private async keyFor(entity: EntityClass<unknown>, scope: SpaceScope): Promise<Buffer | undefined> {
    return this.cipher.isEncrypted(entity) ? scope.spaceKey() : undefined;
  }

  private async readOne<T extends SpaceScopedEntity>(
    entity: EntityClass<T>,
    spaceId: string,
    id: string,
    key: Buffer | undefined,
  ): Promise<Decrypted<T> | null> {
    const row = await this.dataSource
      .getRepository(entity)
      .findOne({ where: { id, spaceId } as FindOptionsWhere<T> });
    return row ? this.open(entity, key, row) : null;
  }

  private open<T extends SpaceScopedEntity>(
    entity: EntityClass<T>,
    key: Buffer | undefined,
    row: T,
  ): Decrypted<T> {
    return key ? this.cipher.decrypt(entity, key, row) : { ...row, unreadableFields: [] };
  }

  private async insertAtNextPosition<T extends SpaceScopedEntity>(
    entity: EntityClass<T>,
    spaceId: string,
    row: QueryDeepPartialEntity<T>,
  ): Promise<Record<string, unknown>> {
    const table = this.dataSource.getMetadata(entity).tableName;
    const next = () =>
      `(SELECT coalesce(max(position), 0) + 1 FROM "${table}" WHERE space_id = :positionSpaceId)`;
    for (let attempt = 0; attempt < FAST_PATH_ATTEMPTS; attempt++) {
      try {
        return await this.insertReturning(
          this.dataSource.manager,
          entity,
          { ...row, position: next },
          spaceId,
        );
      } catch (error) {
        if (!isPositionCollision(error, table)) throw error;
      }
    }
    for (let attempt = 0; ; attempt++) {
      try {
        return await this.dataSource.transaction(async (m) => {
          // released at commit; concurrent creators of this space and table queue here
          await m.query(`SELECT pg_advisory_xact_lock(hashtextextended($1, 0))`, [`${table}:${spaceId}`]);
          return this.insertReturning(m, entity, { ...row, position: next }, spaceId);
        });
      } catch (error) {
        // a fast-path insert of another request can still win the position once; try again
        if (!isPositionCollision(error, table) || attempt >= LOCKED_PATH_ATTEMPTS) throw error;
      }
    }
  }

  private async insertReturning<T extends SpaceScopedEntity>(
    m: EntityManager,
    entity: EntityClass<T>,
    row: QueryDeepPartialEntity<T>,
    positionSpaceId?: string,
  ): Promise<Record<string, unknown>> {
    const qb = m.createQueryBuilder().insert().into(entity).values(row).returning('*');
    if (positionSpaceId) qb.setParameter('positionSpaceId', positionSpaceId);
    const result = await qb.execute();
    return (result.raw as Array<Record<string, unknown>>)[0];
  }

  /** A RETURNING row mapped to entity properties, values converted as TypeORM would on a read. */
  private hydrate(entity: EntityClass<unknown>, raw: Record<string, unknown>): Record<string, unknown> {
    const meta = this.dataSource.getMetadata(entity);
    const out: Record<string, unknown> = {};
    for (const column of meta.columns) {
      if (column.databaseName in raw) {
        out[column.propertyName] = this.dataSource.driver.prepareHydratedValue(
          raw[column.databaseName],
          column,
        );
      }
    }
    return out;
  }
}

const FAST_PATH_ATTEMPTS = 3;
const LOCKED_PATH_ATTEMPTS = 5;

function isPositionCollision(error: unknown, table: string): boolean {
  if (!(error instanceof QueryFailedError)) return false;
  const driverError = error.driverError as { code?: string; constraint?: string } | undefined;
  return driverError?.code === '23505' && driverError.constraint === `ux_${table}_space_position`;
}
