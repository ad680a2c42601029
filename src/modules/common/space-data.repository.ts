import { Inject, Injectable, Optional } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { randomUUID } from 'node:crypto';
import { DataSource, QueryFailedError } from 'typeorm';
import type { QueryRunner } from 'typeorm';
import type { PostgresDriver } from 'typeorm/driver/postgres/PostgresDriver.js';
import pg from 'pg';
import type { Pool } from 'pg';
import { EntityCipher } from '../../crypto/entity-cipher.service.js';
import type { Decrypted, EntityClass } from '../../crypto/entity-cipher.service.js';
import type { ToolContext } from '../../tool-contract/tool.types.js';
import type { SpaceScopedEntity } from './space-scoped.entity.js';
import { SpaceTable } from './space-table.js';
import type { FindInSpace, Sql } from './space-table.js';
import { SPACE_WRITE_INTERCEPTORS } from './space-write.interceptor.js';
import type { SpaceWrite, SpaceWriteInterceptor } from './space-write.interceptor.js';

export type { FindInSpace } from './space-table.js';

/** What the repository needs from a tool call: the active space, the actor, and the space key on demand. */
export type SpaceScope = Pick<ToolContext, 'spaceId' | 'spaceKey'> & { user: { id: string } };

/** The values a caller may set; id, space and actor columns are the repository's. */
export type WritableFields<T> = Omit<Partial<T>, keyof SpaceScopedEntity | 'updatedAt'>;

/** Rows and affected-row count of one statement. */
interface Outcome {
  rows: Array<Record<string, unknown>>;
  affected: number;
}

/**
 * The one door to space-scoped app tables. Every statement is pinned to the caller's active space
 * (`WHERE id = … AND space_id = …`, see SpaceTable), actor columns are stamped, and the entity's
 * @EncryptedColumn fields are encrypted on write and decrypted on read (the space key is fetched only
 * for entities that have such fields, so plaintext tools keep working for zero-knowledge users).
 * Each operation is one statement (writes return the row with RETURNING). Before a write it asks
 * the write interceptors (SPACE_WRITE_INTERCEPTORS, none by default) whether to store it or to
 * answer it without storing it (see `runDiscarded`).
 */
@Injectable()
export class SpaceDataRepository {
  private readonly tables = new Map<EntityClass<unknown>, SpaceTable>();

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    @Inject(EntityCipher) private readonly cipher: EntityCipher,
    @Optional()
    @Inject(SPACE_WRITE_INTERCEPTORS)
    private readonly interceptors: readonly SpaceWriteInterceptor[] = [],
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
    const table = this.table(entity);
    const id = randomUUID();
    const key = await this.keyFor(entity, scope);
    const plain = {
      ...values,
      id,
      spaceId: scope.spaceId,
      createdBy: scope.user.id,
      lastActor: scope.user.id,
    };
    const stored = key ? this.cipher.encrypt(entity, key, id, plain as Partial<T>) : plain;
    const statement = table.insert(
      stored as Record<string, unknown>,
      options.position ? scope.spaceId : undefined,
    );
    const write: SpaceWrite = { operation: 'insert', table: table.name, spaceId: scope.spaceId };
    const { rows } = this.discards(write)
      ? await this.runDiscarded(table, statement)
      : options.position
        ? await this.insertAtNextPosition(table, scope.spaceId, statement)
        : await this.run(statement);
    return { ...table.hydrate(rows[0]), ...plain, unreadableFields: [] } as unknown as Decrypted<T>;
  }

  async findById<T extends SpaceScopedEntity>(
    entity: EntityClass<T>,
    scope: SpaceScope,
    id: string,
  ): Promise<Decrypted<T> | null> {
    const key = await this.keyFor(entity, scope);
    const { rows } = await this.run(this.table(entity).selectById(scope.spaceId, id));
    return rows.length > 0 ? this.open(entity, key, rows[0]) : null;
  }

  async find<T extends SpaceScopedEntity>(
    entity: EntityClass<T>,
    scope: SpaceScope,
    options: FindInSpace<T> = {},
  ): Promise<Array<Decrypted<T>>> {
    const key = await this.keyFor(entity, scope);
    const { rows } = await this.run(this.table(entity).select(scope.spaceId, options));
    return rows.map((row) => this.open(entity, key, row));
  }

  /** Updates the row if it is in the active space and returns it; null when it is not (nothing is written then). */
  async update<T extends SpaceScopedEntity>(
    entity: EntityClass<T>,
    scope: SpaceScope,
    id: string,
    patch: WritableFields<T>,
  ): Promise<Decrypted<T> | null> {
    const key = await this.keyFor(entity, scope);
    const stored = key ? this.cipher.encrypt(entity, key, id, patch as Partial<T>) : patch;
    const table = this.table(entity);
    const { rows } = await this.write(
      { operation: 'update', table: table.name, spaceId: scope.spaceId },
      table,
      table.update(scope.spaceId, id, { ...stored, lastActor: scope.user.id }),
    );
    return rows.length > 0 ? this.open(entity, key, rows[0]) : null;
  }

  /** Deletes the row if it is in the active space; false when it is not. */
  async delete<T extends SpaceScopedEntity>(
    entity: EntityClass<T>,
    scope: SpaceScope,
    id: string,
  ): Promise<boolean> {
    const table = this.table(entity);
    const { affected } = await this.write(
      { operation: 'delete', table: table.name, spaceId: scope.spaceId },
      table,
      table.delete(scope.spaceId, id),
    );
    return affected > 0;
  }

  /** True when a write interceptor asks to answer this write without storing it. */
  private discards(write: SpaceWrite): boolean {
    return this.interceptors.some((interceptor) => interceptor.intercept(write) === 'discard');
  }

  /** Runs a single-statement write, or its discarded twin when an interceptor asks for that. */
  private write(write: SpaceWrite, table: SpaceTable, statement: Sql): Promise<Outcome> {
    return this.discards(write) ? this.runDiscarded(table, statement) : this.run(statement);
  }

  /**
   * A write answered but not stored: the very statement runs in a transaction that is rolled back,
   * so the answer is the one a stored write gets (the id chosen here, created_at/updated_at from the
   * database's now(), the next position, RETURNING hydrated alike) and a later read does not see it.
   * An insert whose position a concurrent insert took meanwhile is tried again, as on the locked path.
   * Only this transaction's runner is used while it is open (the embedded database hangs otherwise).
   */
  private async runDiscarded(table: SpaceTable, statement: Sql): Promise<Outcome> {
    for (let attempt = 0; ; attempt++) {
      const runner = this.dataSource.createQueryRunner();
      try {
        await runner.connect();
        await runner.startTransaction();
        try {
          return await this.run(statement, runner);
        } finally {
          await runner.rollbackTransaction();
        }
      } catch (error) {
        if (!isPositionCollision(error, table.name) || attempt >= LOCKED_PATH_ATTEMPTS) throw error;
      } finally {
        await runner.release();
      }
    }
  }

  private async keyFor(entity: EntityClass<unknown>, scope: SpaceScope): Promise<Buffer | undefined> {
    return this.cipher.isEncrypted(entity) ? scope.spaceKey() : undefined;
  }

  private open<T extends SpaceScopedEntity>(
    entity: EntityClass<T>,
    key: Buffer | undefined,
    raw: Record<string, unknown>,
  ): Decrypted<T> {
    const row = this.table(entity).hydrate(raw) as unknown as T;
    return key ? this.cipher.decrypt(entity, key, row) : { ...row, unreadableFields: [] };
  }

  private table(entity: EntityClass<unknown>): SpaceTable {
    let table = this.tables.get(entity);
    if (!table) {
      table = new SpaceTable(this.dataSource.getMetadata(entity), this.dataSource.driver);
      this.tables.set(entity, table);
    }
    return table;
  }

  private async insertAtNextPosition(table: SpaceTable, spaceId: string, statement: Sql): Promise<Outcome> {
    for (let attempt = 0; attempt < FAST_PATH_ATTEMPTS; attempt++) {
      try {
        return await this.run(statement);
      } catch (error) {
        if (!isPositionCollision(error, table.name)) throw error;
      }
    }
    for (let attempt = 0; ; attempt++) {
      try {
        return await this.dataSource.transaction(async (m) => {
          // released at commit; concurrent creators of this space and table queue here
          await m.query(`SELECT pg_advisory_xact_lock(hashtextextended($1, 0))`, [
            `${table.name}:${spaceId}`,
          ]);
          return this.run(statement, m.queryRunner);
        });
      } catch (error) {
        // a fast-path insert of another request can still win the position once; try again
        if (!isPositionCollision(error, table.name) || attempt >= LOCKED_PATH_ATTEMPTS) throw error;
      }
    }
  }

  /**
   * Runs one statement. Outside a transaction it goes straight to the pg pool TypeORM opened (the
   * app's one pool; a query runner per statement cost a tenth of a tool call), and a failure is
   * wrapped in a QueryFailedError as TypeORM wraps it, so callers and the exception filter see one
   * error type whichever path ran. Inside a transaction it runs on that transaction's runner.
   */
  private async run(statement: Sql, runner?: QueryRunner): Promise<Outcome> {
    if (runner) {
      const result = await runner.query(statement.text, statement.values, true);
      return {
        rows: (result.records ?? []) as Array<Record<string, unknown>>,
        affected: result.affected ?? 0,
      };
    }
    const client = await this.pool().connect();
    // a statement the database refused (a constraint, a bad value) leaves the connection usable:
    // it goes back to the pool. pool.query() would close it, and the embedded database, which takes
    // one connection, could turn the pool's immediate reconnect away; a broken socket is closed.
    let broken: Error | undefined;
    try {
      const result = await client.query(statement.text, statement.values);
      return { rows: result.rows, affected: result.rowCount ?? 0 };
    } catch (error) {
      if (!(error instanceof pg.DatabaseError)) broken = error as Error;
      throw new QueryFailedError(statement.text, statement.values, error as Error);
    } finally {
      client.release(broken);
    }
  }

  private pool(): Pool {
    return (this.dataSource.driver as PostgresDriver).master as Pool;
  }
}

const FAST_PATH_ATTEMPTS = 3;
const LOCKED_PATH_ATTEMPTS = 5;

function isPositionCollision(error: unknown, table: string): boolean {
  if (!(error instanceof QueryFailedError)) return false;
  const driverError = error.driverError as { code?: string; constraint?: string } | undefined;
  return driverError?.code === '23505' && driverError.constraint === `ux_${table}_space_position`;
}
