import { FindOperator } from 'typeorm';
import type { Driver, EntityMetadata, FindOptionsOrder, FindOptionsWhere } from 'typeorm';
import type { ColumnMetadata } from 'typeorm/metadata/ColumnMetadata.js';

/** A statement and its positional parameters. */
export interface Sql {
  text: string;
  values: unknown[];
}

/** The find options the app modules use: equality, null checks, Between and the comparisons below. */
export interface FindInSpace<T> {
  where?: FindOptionsWhere<T>;
  order?: FindOptionsOrder<T>;
  take?: number;
}

/**
 * Column types that node-postgres already returns as TypeORM hydrates them (string, number,
 * boolean): read as they come. Dates, timestamps, JSON and anything with a transformer go through
 * the driver's prepareHydratedValue.
 */
const READ_AS_IS = new Set(['text', 'uuid', 'integer', 'smallint', 'boolean']);

const COMPARISONS: Record<string, string> = {
  equal: '=',
  lessThan: '<',
  lessThanOrEqual: '<=',
  moreThan: '>',
  moreThanOrEqual: '>=',
};

/**
 * The SQL of one space-scoped table, written from its TypeORM metadata (table, column names, value
 * conversions) and compiled once per entity. Every statement carries `space_id = $n`: there is no
 * way to build one that reaches another space's rows.
 *
 * Why not TypeORM's find/insert/update: these statements run on every tool call, and building them
 * through the query builder and mapping rows back through its transformer cost more CPU than the
 * database work itself (bench:mcp). Values still go through the driver's own conversions
 * (`preparePersistentValue` / `prepareHydratedValue`), so rows read the same as through TypeORM.
 */
export class SpaceTable {
  readonly name: string;
  private readonly columns: ReadonlyArray<{ column: ColumnMetadata; asIs: boolean }>;
  private readonly byProperty = new Map<string, ColumnMetadata>();
  private readonly returning: string;
  private readonly updatedAt?: ColumnMetadata;

  constructor(
    meta: EntityMetadata,
    private readonly driver: Driver,
  ) {
    this.name = meta.tableName;
    this.columns = meta.columns.map((column) => ({
      column,
      asIs: !column.transformer && typeof column.type === 'string' && READ_AS_IS.has(column.type),
    }));
    for (const column of meta.columns) this.byProperty.set(column.propertyName, column);
    this.returning = meta.columns.map((c) => quote(c.databaseName)).join(', ');
    this.updatedAt = meta.updateDateColumn;
    for (const required of ['id', 'spaceId']) {
      if (!this.byProperty.has(required)) throw new Error(`${this.name} has no ${required} column`);
    }
  }

  /** `SELECT … WHERE space_id = $1 AND <where> ORDER BY … LIMIT …`. */
  select<T>(spaceId: string, options: FindInSpace<T>): Sql {
    const values: unknown[] = [spaceId];
    const conditions = [`${this.column('spaceId')} = $1`];
    for (const [property, value] of Object.entries(options.where ?? {})) {
      if (value === undefined) continue;
      conditions.push(this.condition(this.metadata(property), value, values));
    }
    let text = `SELECT ${this.returning} FROM ${quote(this.name)} WHERE ${conditions.join(' AND ')}`;
    const order = Object.entries(options.order ?? {}).map(([property, direction]) =>
      this.orderBy(property, direction),
    );
    if (order.length > 0) text += ` ORDER BY ${order.join(', ')}`;
    if (options.take !== undefined) {
      values.push(options.take);
      text += ` LIMIT $${values.length}`;
    }
    return { text, values };
  }

  selectById(spaceId: string, id: string): Sql {
    return {
      text: `SELECT ${this.returning} FROM ${quote(this.name)} WHERE ${this.column('id')} = $1 AND ${this.column('spaceId')} = $2`,
      values: [id, spaceId],
    };
  }

  /**
   * `INSERT … RETURNING *`. With `positionIn`, `position` is the next one of that space, computed
   * in the same statement (a unique index on (space_id, position) rejects a concurrent twin).
   */
  insert(row: Record<string, unknown>, positionIn?: string): Sql {
    const names: string[] = [];
    const placeholders: string[] = [];
    const values: unknown[] = [];
    for (const [property, value] of Object.entries(row)) {
      if (value === undefined || (positionIn !== undefined && property === 'position')) continue;
      const column = this.metadata(property);
      values.push(this.driver.preparePersistentValue(value, column));
      names.push(quote(column.databaseName));
      placeholders.push(`$${values.length}`);
    }
    if (positionIn !== undefined) {
      values.push(positionIn);
      const position = this.column('position');
      names.push(position);
      placeholders.push(
        `(SELECT coalesce(max(${position}), 0) + 1 FROM ${quote(this.name)} WHERE ${this.column('spaceId')} = $${values.length})`,
      );
    }
    return {
      text: `INSERT INTO ${quote(this.name)} (${names.join(', ')}) VALUES (${placeholders.join(', ')}) RETURNING ${this.returning}`,
      values,
    };
  }

  /** `UPDATE … SET … WHERE id = … AND space_id = … RETURNING *`; the update-date column is set to now(). */
  update(spaceId: string, id: string, patch: Record<string, unknown>): Sql {
    const values: unknown[] = [id, spaceId];
    const sets: string[] = [];
    for (const [property, value] of Object.entries(patch)) {
      if (value === undefined) continue;
      const column = this.metadata(property);
      values.push(this.driver.preparePersistentValue(value, column));
      sets.push(`${quote(column.databaseName)} = $${values.length}`);
    }
    if (this.updatedAt) sets.push(`${quote(this.updatedAt.databaseName)} = now()`);
    if (sets.length === 0) throw new Error(`nothing to update in ${this.name}`);
    return {
      text: `UPDATE ${quote(this.name)} SET ${sets.join(', ')} WHERE ${this.column('id')} = $1 AND ${this.column('spaceId')} = $2 RETURNING ${this.returning}`,
      values,
    };
  }

  delete(spaceId: string, id: string): Sql {
    return {
      text: `DELETE FROM ${quote(this.name)} WHERE ${this.column('id')} = $1 AND ${this.column('spaceId')} = $2`,
      values: [id, spaceId],
    };
  }

  /** A row as the database returned it, keyed by property name, values converted as TypeORM reads them. */
  hydrate(raw: Record<string, unknown>): Record<string, unknown> {
    const out: Record<string, unknown> = {};
    for (const { column, asIs } of this.columns) {
      if (!(column.databaseName in raw)) continue;
      const value = raw[column.databaseName];
      out[column.propertyName] = asIs ? value : this.driver.prepareHydratedValue(value, column);
    }
    return out;
  }

  private condition(column: ColumnMetadata, value: unknown, values: unknown[]): string {
    const name = quote(column.databaseName);
    const param = (v: unknown): string => {
      values.push(this.driver.preparePersistentValue(v, column));
      return `$${values.length}`;
    };
    if (value === null) return `${name} IS NULL`;
    if (!(value instanceof FindOperator)) return `${name} = ${param(value)}`;
    const op = value as FindOperator<unknown>;
    if (op.type === 'isNull') return `${name} IS NULL`;
    if (op.type === 'not') {
      if (op.child?.type === 'isNull') return `${name} IS NOT NULL`;
      if (op.child === undefined) return `${name} <> ${param(op.value)}`; // as TypeORM's Not(value)
    }
    if (op.type === 'between' && Array.isArray(op.value) && op.value.length === 2) {
      return `${name} BETWEEN ${param(op.value[0])} AND ${param(op.value[1])}`;
    }
    const comparison = COMPARISONS[op.type];
    if (comparison && op.child === undefined) return `${name} ${comparison} ${param(op.value)}`;
    throw new Error(`${this.name}.${column.databaseName}: find operator "${op.type}" is not supported here`);
  }

  private orderBy(property: string, direction: unknown): string {
    const name = quote(this.metadata(property).databaseName);
    const spec =
      typeof direction === 'object' && direction !== null
        ? (direction as { direction?: unknown; nulls?: unknown })
        : { direction };
    const dir = String(spec.direction ?? 'ASC').toUpperCase();
    if (dir !== 'ASC' && dir !== 'DESC' && dir !== '1' && dir !== '-1') {
      throw new Error(`${this.name}.${property}: order "${String(spec.direction)}" is not ASC or DESC`);
    }
    let sql = `${name} ${dir === 'DESC' || dir === '-1' ? 'DESC' : 'ASC'}`;
    if (spec.nulls !== undefined) {
      const nulls = String(spec.nulls).toUpperCase();
      if (nulls !== 'FIRST' && nulls !== 'LAST') {
        throw new Error(`${this.name}.${property}: nulls "${String(spec.nulls)}" is not FIRST or LAST`);
      }
      sql += ` NULLS ${nulls}`;
    }
    return sql;
  }

  private column(property: string): string {
    return quote(this.metadata(property).databaseName);
  }

  private metadata(property: string): ColumnMetadata {
    const column = this.byProperty.get(property);
    if (!column) throw new Error(`${this.name} has no column for property "${property}"`);
    return column;
  }
}

function quote(identifier: string): string {
  return `"${identifier.replace(/"/g, '""')}"`;
}
