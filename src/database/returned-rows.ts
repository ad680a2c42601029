/**
 * The rows of a `DataSource.query` answer: TypeORM answers an UPDATE or DELETE ... RETURNING on
 * PostgreSQL as `[rows, affectedCount]`, a SELECT or INSERT as the rows themselves.
 */
export function returnedRows<T>(result: [T[], number] | T[]): T[] {
  if (
    Array.isArray(result) &&
    result.length === 2 &&
    Array.isArray(result[0]) &&
    typeof result[1] === 'number'
  ) {
    return result[0];
  }
  return result as T[];
}
