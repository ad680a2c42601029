import { isUuid } from './uuid.js';

/**
 * A keyset position (sort key as Postgres prints it, then the row's uuid as the tie-breaker) sent to
 * clients as an opaque base64url string. The sort key stays text so Postgres' microseconds survive the
 * round trip (a JS Date would cut them and skip rows on the next page).
 */
export interface KeysetPosition {
  key: string;
  id: string;
}

export function encodeKeysetCursor(position: KeysetPosition): string {
  return Buffer.from(`${position.key}|${position.id}`, 'utf8').toString('base64url');
}

/**
 * Reads a cursor made by encodeKeysetCursor; `keyPattern` is the shape the caller's sort key must have.
 * Answers undefined for anything else, so each caller raises its own domain error.
 */
export function decodeKeysetCursor(value: string, keyPattern: RegExp): KeysetPosition | undefined {
  const text = Buffer.from(value, 'base64url').toString('utf8');
  const bar = text.lastIndexOf('|');
  if (bar <= 0) return undefined;
  const key = text.slice(0, bar);
  const id = text.slice(bar + 1);
  if (!keyPattern.test(key) || !isUuid(id)) return undefined;
  return { key, id: id.toLowerCase() };
}
