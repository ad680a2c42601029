import { sessionOf, tokenVersionCurrent } from './token-revocation.js';

describe(tokenVersionCurrent.name, () => {
  it('should accept a token issued under the account’s current version', () => {
    expect(tokenVersionCurrent(0, 0)).toBe(true);
    expect(tokenVersionCurrent(3, 3)).toBe(true);
  });

  it('should refuse a token issued before a logout-all, whatever second it was issued in', () => {
    // the version, not iat, decides: a token from the same second as the sign-out is still refused
    expect(tokenVersionCurrent(2, 3)).toBe(false);
    expect(tokenVersionCurrent(0, 1)).toBe(false);
  });

  it('should accept a login made right after a logout-all on an instance that still caches the old version', () => {
    // the new token says 4, the instance's cached account still says 3 (for AUTH_USER_CACHE_MS)
    expect(tokenVersionCurrent(4, 3)).toBe(true);
  });

  it('should read a token without the claim as version 0 (tokens from before the rule)', () => {
    expect(tokenVersionCurrent(undefined, 0)).toBe(true);
    expect(tokenVersionCurrent(undefined, 1)).toBe(false);
  });

  it.each([['1'], [1.5], [Number.NaN], [null], [Number.MAX_VALUE], [{}]])(
    'should refuse a claim that is not a whole number (%p)',
    (claimed) => {
      expect(tokenVersionCurrent(claimed, 0)).toBe(false);
    },
  );
});

describe(sessionOf.name, () => {
  it('should name no session for a token without sid (held to its version only)', () => {
    expect(sessionOf(undefined)).toEqual({ kind: 'none' });
  });

  it('should name the refresh family of a uuid sid, lower-cased', () => {
    expect(sessionOf('0B6F2C4E-8A51-4C4E-9D1F-2F6A0E3B7C10')).toEqual({
      kind: 'family',
      id: '0b6f2c4e-8a51-4c4e-9d1f-2f6a0e3b7c10',
    });
  });

  it.each([['not-a-uuid'], [''], [42], [null]])('should call a sid of %p malformed', (claimed) => {
    expect(sessionOf(claimed)).toEqual({ kind: 'malformed' });
  });
});
