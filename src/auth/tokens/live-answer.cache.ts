import { LRUCache } from 'lru-cache';

/**
 * The answers of the per-request token checks that say "yes, still good": the account behind a
 * token is active (UsersService), the grant a token belongs to is live (RefreshFamilies). A busy
 * client (an MCP session makes one request per tool call) then does not cost a database read per
 * request. An entry lives `ttlMs` (AUTH_USER_CACHE_MS); 0 turns the cache off.
 *
 * Only positive answers are cached, so the cache can delay a revocation made on another instance by
 * at most `ttlMs`, never grant access. `forget` drops a key and keeps it out of the cache for one
 * more TTL: a read that began before the change, or a change still inside its transaction, cannot
 * put the old answer back.
 */
export class LiveAnswerCache<T extends object> {
  private readonly answers?: LRUCache<string, T>;
  private readonly held?: LRUCache<string, true>;

  constructor(ttlMs: number, max = 10_000) {
    if (ttlMs <= 0) return;
    this.answers = new LRUCache({ max, ttl: ttlMs });
    this.held = new LRUCache({ max, ttl: ttlMs });
  }

  /** The cached answer, or `load()`'s (cached when it is one). */
  async get(key: string, load: () => Promise<T | undefined>): Promise<T | undefined> {
    const hit = this.answers?.get(key);
    if (hit) return hit;
    const answer = await load();
    if (answer && this.answers && !this.held?.has(key)) this.answers.set(key, Object.freeze(answer));
    return answer;
  }

  forget(key: string): void {
    this.answers?.delete(key);
    this.held?.set(key, true);
  }
}
