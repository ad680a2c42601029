import { LRUCache } from 'lru-cache';
import type { AuthUser } from '../auth.types.js';

/**
 * The accounts behind recently checked tokens, so a busy client (an MCP session makes one request
 * per tool call) does not cost a users-table read per request. An entry lives `ttlMs`
 * (AUTH_USER_CACHE_MS); 0 turns the cache off.
 *
 * Only active accounts are cached, so the cache can delay a lockout, never grant access. `forget`
 * drops an account and keeps it out of the cache for one more TTL: a read that began before the
 * change, or a change still inside its transaction, cannot put the old row back.
 */
export class AuthUserCache {
  private readonly users?: LRUCache<string, AuthUser>;
  private readonly held?: LRUCache<string, true>;

  constructor(ttlMs: number, max = 10_000) {
    if (ttlMs <= 0) return;
    this.users = new LRUCache({ max, ttl: ttlMs });
    this.held = new LRUCache({ max, ttl: ttlMs });
  }

  /** The cached account, or `load()`'s answer (cached when it is an account). */
  async get(id: string, load: () => Promise<AuthUser | undefined>): Promise<AuthUser | undefined> {
    const hit = this.users?.get(id);
    if (hit) return hit;
    const user = await load();
    if (user && this.users && !this.held?.has(id)) this.users.set(id, Object.freeze(user));
    return user;
  }

  forget(id: string): void {
    this.users?.delete(id);
    this.held?.set(id, true);
  }
}
