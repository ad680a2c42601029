import type { FieldLocation } from './field-location.js';

/** A stored ciphertext could not be decrypted. Names where it lives; never carries key or plaintext. */
export class FieldDecryptionError extends Error {
  readonly table: string;
  readonly column: string;
  readonly rowId: string;

  constructor(
    at: FieldLocation,
    readonly reason: string,
  ) {
    super(`Cannot decrypt ${at.table}.${at.column} of row ${at.rowId}: ${reason}`);
    this.name = 'FieldDecryptionError';
    this.table = at.table;
    this.column = at.column;
    this.rowId = at.rowId;
  }
}
