import { VerifiedTokenCache } from './verified-token.cache.js';
import type { AccessTokenClaims } from '../auth.types.js';

const now = () => Math.floor(Date.now() / 1000);
const claims = (exp: number): AccessTokenClaims => ({
  sub: '0b6f2c4e-8a51-4c4e-9d1f-2f6a0e3b7c10',
  email: 'a@example.com',
  kind: 'human',
  tier: 'public',
  role: 'user',
  iss: 'mana-personas',
  aud: 'mana',
  iat: now() - 10,
  exp,
  jti: 'j',
});

describe(VerifiedTokenCache.name, () => {
  it('should remember a verified token by its exact text until it expires', () => {
    const cache = new VerifiedTokenCache();
    cache.remember('a.b.c', claims(now() + 60));
    expect(cache.get('a.b.c')?.sub).toBe('0b6f2c4e-8a51-4c4e-9d1f-2f6a0e3b7c10');
    expect(cache.get('a.b.C')).toBeUndefined();
    expect(cache.get('a.b.c ')).toBeUndefined();
  });

  it('should not answer for a token whose exp has been reached, and drop it', () => {
    const cache = new VerifiedTokenCache();
    const entry = claims(now() + 60);
    cache.remember('t', entry);
    (entry as { exp: number }).exp = now(); // what was stored is a copy: this changes nothing
    expect(cache.get('t')).toBeDefined();
    cache.remember('expiring', claims(now()));
    expect(cache.get('expiring')).toBeUndefined();
  });

  it('should never remember a token without exp or already expired', () => {
    const cache = new VerifiedTokenCache();
    cache.remember('no-exp', { ...claims(0), exp: undefined } as unknown as AccessTokenClaims);
    cache.remember('old', claims(now() - 1));
    expect(cache.size).toBe(0);
  });

  it('should stay within its bound, dropping the least recently used token', () => {
    const cache = new VerifiedTokenCache(3);
    for (const t of ['t1', 't2', 't3']) cache.remember(t, claims(now() + 60));
    cache.get('t1');
    cache.remember('t4', claims(now() + 60));
    expect(cache.size).toBe(3);
    expect(cache.get('t2')).toBeUndefined();
    expect(cache.get('t1')).toBeDefined();
  });
});
