/**
 * Injection token of the space-write interceptors: a `SpaceWriteInterceptor[]`, optional (none
 * unless a module provides it). The fault lab provides one; the app modules never import the lab.
 */
export const SPACE_WRITE_INTERCEPTORS = Symbol('SPACE_WRITE_INTERCEPTORS');

/** One write of SpaceDataRepository, as an interceptor sees it. */
export interface SpaceWrite {
  operation: 'insert' | 'update' | 'delete';
  /** The table, e.g. `tasks`. */
  table: string;
  /** The active space the write is pinned to. */
  spaceId: string;
}

/**
 * Consulted by SpaceDataRepository before every write. `store` (what every interceptor answers
 * unless it has a reason not to) writes as usual; `discard`, from any interceptor, makes the write
 * one that is answered but not stored: the statement runs in a transaction that is rolled back, so
 * the caller gets exactly the row a stored write returns (id, server-filled timestamps, position)
 * and a later read does not find it.
 */
export interface SpaceWriteInterceptor {
  intercept(write: SpaceWrite): 'store' | 'discard';
}
