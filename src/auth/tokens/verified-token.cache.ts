import { LRUCache } from 'lru-cache';
import type { AccessTokenClaims } from '../auth.types.js';

/**
 * Access tokens whose signature and claims were verified, keyed by their exact text, until they
 * expire. A token is immutable, so the same text verifies the same way until `exp`; a hit saves the
 * ES256 signature check (the largest part of authenticating a request). Tokens without `exp` are
 * never remembered. Bounded: the least recently used token is dropped past `max`.
 */
export class VerifiedTokenCache {
  private readonly tokens: LRUCache<string, AccessTokenClaims>;

  constructor(max = 10_000) {
    this.tokens = new LRUCache({ max });
  }

  get(token: string): AccessTokenClaims | undefined {
    const claims = this.tokens.get(token);
    if (claims && expired(claims)) {
      this.tokens.delete(token);
      return undefined;
    }
    return claims;
  }

  remember(token: string, claims: AccessTokenClaims): void {
    if (typeof claims.exp !== 'number' || expired(claims)) return;
    this.tokens.set(token, Object.freeze({ ...claims }));
  }

  get size(): number {
    return this.tokens.size;
  }
}

/** As jsonwebtoken judges it: expired once the current second reaches `exp`. */
function expired(claims: AccessTokenClaims): boolean {
  return Math.floor(Date.now() / 1000) >= claims.exp;
}
