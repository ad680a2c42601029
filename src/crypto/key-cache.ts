/**
 * A small TTL cache of unwrapped keys with single-flight loading: concurrent misses of one id share
 * one in-flight load, so a key is unwrapped exactly once however many calls arrive together.
 * `delete` also disowns a load still in flight, so a key evicted by a zero-knowledge switch cannot
 * be put back by a load that started before the switch.
 */
export class KeyCache {
  private readonly entries = new Map<string, { key: Buffer; expiresAt: number }>();
  private readonly inFlight = new Map<string, Promise<Buffer>>();

  constructor(
    private readonly ttlMs: number,
    private readonly now: () => number = Date.now,
    private readonly maxEntries = 10_000,
  ) {}

  get(id: string, load: () => Promise<Buffer>): Promise<Buffer> {
    const hit = this.entries.get(id);
    if (hit && hit.expiresAt > this.now()) return Promise.resolve(hit.key);
    if (hit) this.entries.delete(id);
    const pending = this.inFlight.get(id);
    if (pending) return pending;

    const promise = load().then(
      (key) => {
        if (this.inFlight.get(id) === promise) {
          this.inFlight.delete(id);
          if (this.entries.size >= this.maxEntries) this.evictExpiredOrOldest();
          this.entries.set(id, { key, expiresAt: this.now() + this.ttlMs });
        }
        return key;
      },
      (error: unknown) => {
        if (this.inFlight.get(id) === promise) this.inFlight.delete(id);
        throw error;
      },
    );
    this.inFlight.set(id, promise);
    return promise;
  }

  /** Drops the key (and disowns a load in flight); returns the key that was cached, if any. */
  delete(id: string): Buffer | undefined {
    const cached = this.entries.get(id)?.key;
    this.entries.delete(id);
    this.inFlight.delete(id);
    return cached;
  }

  /** Every key held now. */
  keys(): Buffer[] {
    return [...this.entries.values()].map((e) => e.key);
  }

  clear(): void {
    this.entries.clear();
    this.inFlight.clear();
  }

  get size(): number {
    return this.entries.size;
  }

  private evictExpiredOrOldest(): void {
    const now = this.now();
    for (const [id, entry] of this.entries) if (entry.expiresAt <= now) this.entries.delete(id);
    if (this.entries.size >= this.maxEntries) {
      const oldest = this.entries.keys().next();
      if (!oldest.done) this.entries.delete(oldest.value);
    }
  }
}
