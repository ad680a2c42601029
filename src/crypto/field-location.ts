/** Where an encrypted value lives: bound into its AES-GCM additional data, named in errors. */
export interface FieldLocation {
  table: string;
  column: string;
  rowId: string;
}
