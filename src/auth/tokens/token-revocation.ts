import { isUuid } from '../../common/uuid.js';

/**
 * How an access token (a self-contained ES256 JWT) is revoked before it expires, on every instance.
 * Two claims, checked on every request after the signature (also when the verified-token cache
 * answers for the signature), each against a database read cached at most AUTH_USER_CACHE_MS:
 *
 * - `ver`, the account's token version when the token was issued (users.token_version). Signing
 *   out everywhere and disabling the account add one in the database; a token whose `ver` is below
 *   the account's is refused. A counter instead of a "valid after" time: `iat` has one-second
 *   granularity and the instances' clocks differ, while a version has no clock in it. A token issued
 *   in the same second as a logout-all, but from a read of the account before it, carries the old
 *   version and is refused; a login after the logout-all reads the new version and works on every
 *   instance at once, even on one whose cached account is still the old version (`>=`, not `===`).
 *   A token without `ver` (issued before this rule, or crafted by a test) counts as version 0.
 * - `sid`, the refresh-token family the token was issued with (a password login's session, an
 *   OAuth grant). The token is refused once the family has no live refresh token: logout, RFC 7009
 *   revocation, a replayed refresh token or code, logout-all. A token without `sid` is held to `ver`
 *   only.
 */
export const TOKEN_VERSION_CLAIM = 'ver';
export const SESSION_CLAIM = 'sid';

/** Refusals, worded for the caller (describeTokenProblem passes them through). */
export const SIGNED_OUT_MESSAGE =
  'Access token was revoked: the account signed out of every session since it was issued; log in again';
export const SESSION_ENDED_MESSAGE =
  'Access token was revoked: its session was signed out or its grant revoked; log in again';

/** Whether a token issued under `claimed` (the `ver` claim, absent = 0) is good for an account at `current`. */
export function tokenVersionCurrent(claimed: unknown, current: number): boolean {
  const version = claimed === undefined ? 0 : claimed;
  return typeof version === 'number' && Number.isSafeInteger(version) && version >= current;
}

/**
 * The session a token names: `none` without a `sid` claim, `malformed` for one that is not a uuid
 * (no family can have it, so the token is refused), else the family id.
 */
export function sessionOf(
  claimed: unknown,
): { kind: 'none' } | { kind: 'malformed' } | { kind: 'family'; id: string } {
  if (claimed === undefined) return { kind: 'none' };
  if (!isUuid(claimed)) return { kind: 'malformed' };
  return { kind: 'family', id: claimed.toLowerCase() };
}
