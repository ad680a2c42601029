import { Inject, Injectable, Logger } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { encryptedPropertiesOf } from './encrypted-column.decorator.js';
import { FieldCipher } from './field-cipher.js';
import { FieldDecryptionError } from './field-decryption.error.js';

export type EntityClass<T> = new () => T;

/** A decrypted row: fields that failed are `null` and named in `unreadableFields`. */
export type Decrypted<T> = T & { unreadableFields: string[] };

interface EncryptedField {
  property: string;
  column: string;
}

/**
 * Applies an entity's @EncryptedColumn declarations: encrypts the values about to be written and
 * decrypts the rows just read, with (table, column, row id) as AAD taken from the TypeORM metadata.
 * A field that fails to decrypt fails alone: it is logged with table/column/row and comes back null.
 */
@Injectable()
export class EntityCipher {
  private readonly logger = new Logger(EntityCipher.name);
  private readonly layouts = new Map<EntityClass<unknown>, { table: string; fields: EncryptedField[] }>();

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    @Inject(FieldCipher) private readonly cipher: FieldCipher,
  ) {}

  isEncrypted(entity: EntityClass<unknown>): boolean {
    return encryptedPropertiesOf(entity).length > 0;
  }

  /** A copy of `values` with every encrypted property (present and not null) replaced by its ciphertext. */
  encrypt<T extends object>(
    entity: EntityClass<T>,
    key: Buffer,
    rowId: string,
    values: Partial<T>,
  ): Partial<T> {
    const { table, fields } = this.layout(entity);
    const out: Record<string, unknown> = { ...values };
    for (const f of fields) {
      const value = out[f.property];
      if (value === undefined || value === null) continue;
      if (typeof value !== 'string') throw new Error(`${table}.${f.column} takes a string to encrypt`);
      out[f.property] = this.cipher.encrypt(key, value, { table, column: f.column, rowId });
    }
    return out as Partial<T>;
  }

  decrypt<T extends { id: string }>(entity: EntityClass<T>, key: Buffer, row: T): Decrypted<T> {
    const { table, fields } = this.layout(entity);
    const out: Record<string, unknown> = { ...row };
    const unreadableFields: string[] = [];
    for (const f of fields) {
      const value = out[f.property];
      if (value === null || value === undefined) continue;
      try {
        out[f.property] = this.cipher.decrypt(key, String(value), { table, column: f.column, rowId: row.id });
      } catch (error) {
        if (!(error instanceof FieldDecryptionError)) throw error;
        this.logger.error(`field decryption failed: ${table}.${f.column} of row ${row.id} (${error.reason})`);
        out[f.property] = null;
        unreadableFields.push(f.property);
      }
    }
    return { ...(out as T), unreadableFields };
  }

  private layout(entity: EntityClass<unknown>): { table: string; fields: EncryptedField[] } {
    const known = this.layouts.get(entity);
    if (known) return known;
    const meta = this.dataSource.getMetadata(entity);
    const fields = encryptedPropertiesOf(entity).map((property) => {
      const column = meta.findColumnWithPropertyName(property);
      if (!column) throw new Error(`${meta.tableName} has no column for encrypted property ${property}`);
      return { property, column: column.databaseName };
    });
    const layout = { table: meta.tableName, fields };
    this.layouts.set(entity, layout);
    return layout;
  }
}
