import { randomBytes } from 'node:crypto';
import type { AppConfig } from '../config/app-config.js';
import { MetricsService } from '../observability/metrics.service.js';
import { KeyCache } from './key-cache.js';
import { KeyWrapper } from './key-wrapper.js';

function wrapper(kek = randomBytes(32)): { wrapper: KeyWrapper; metrics: MetricsService } {
  const metrics = new MetricsService();
  // only masterKek is read by KeyWrapper
  return { wrapper: new KeyWrapper({ masterKek: kek } as AppConfig, metrics), metrics };
}

async function unwrapCount(metrics: MetricsService): Promise<number> {
  const metric = await metrics.registry.getSingleMetric('mana_key_unwraps_total')!.get();
  return metric.values.reduce((s, v) => s + v.value, 0);
}

describe(KeyWrapper.name, () => {
  const userId = '2b5c3a1e-7d4f-4e6a-9b8c-1d2e3f4a5b6c';

  it('should unwrap what it wrapped', () => {
    const { wrapper: w } = wrapper();
    const key = w.generateKey();
    const wrapped = w.wrap(key, { kind: 'user', userId });
    expect(wrapped).toMatch(/^kw:1:/);
    expect(wrapped).not.toContain(key.toString('base64'));
    expect(w.unwrap(wrapped, { kind: 'user', userId }).equals(key)).toBe(true);
  });

  it('should refuse a wrap unwrapped for another key identity', () => {
    const { wrapper: w } = wrapper();
    const wrapped = w.wrap(w.generateKey(), { kind: 'user', userId });
    expect(() => w.unwrap(wrapped, { kind: 'user', userId: '00000000-0000-4000-8000-000000000000' })).toThrow(
      /Cannot unwrap/,
    );
    expect(() => w.unwrap(wrapped, { kind: 'space', spaceId: userId })).toThrow(/Cannot unwrap/);
  });

  it('should refuse a wrap made under another MASTER_KEK', () => {
    const wrapped = wrapper().wrapper.wrap(randomBytes(32), { kind: 'space', spaceId: userId });
    expect(() => wrapper().wrapper.unwrap(wrapped, { kind: 'space', spaceId: userId })).toThrow(
      /Cannot unwrap/,
    );
  });

  it('should refuse damaged wraps', () => {
    const { wrapper: w } = wrapper();
    const wrapped = w.wrap(w.generateKey(), { kind: 'user', userId });
    const tail = wrapped.at(-3) === 'A' ? 'B' : 'A';
    for (const bad of [
      wrapped.slice(0, -4),
      `${wrapped.slice(0, -3)}${tail}==`,
      wrapped.replace('kw:1:', 'kw:2:'),
      '',
    ]) {
      expect(() => w.unwrap(bad, { kind: 'user', userId })).toThrow(/Cannot unwrap/);
    }
  });

  it('should count unwraps in the metrics', async () => {
    const { wrapper: w, metrics } = wrapper();
    const wrapped = w.wrap(w.generateKey(), { kind: 'user', userId });
    w.unwrap(wrapped, { kind: 'user', userId });
    w.unwrap(wrapped, { kind: 'user', userId });
    expect(await unwrapCount(metrics)).toBe(2);
  });
});

describe(KeyCache.name, () => {
  it('should unwrap exactly once under 100 concurrent misses', async () => {
    const { wrapper: w, metrics } = wrapper();
    const id = { kind: 'space', spaceId: 'c0ffee00-0000-4000-8000-000000000001' } as const;
    const key = w.generateKey();
    const wrapped = w.wrap(key, id);
    const cache = new KeyCache(60_000);
    const load = async () => {
      await new Promise((r) => setTimeout(r, 20));
      return w.unwrap(wrapped, id);
    };
    const keys = await Promise.all(Array.from({ length: 100 }, () => cache.get('space:1', load)));
    expect(keys.every((k) => k.equals(key))).toBe(true);
    expect(await unwrapCount(metrics)).toBe(1);
    await cache.get('space:1', load);
    expect(await unwrapCount(metrics)).toBe(1);
  });

  it('should load again after the TTL', async () => {
    let now = 1_000;
    const cache = new KeyCache(5 * 60_000, () => now);
    let loads = 0;
    const load = () => Promise.resolve(Buffer.alloc(32, ++loads));
    await cache.get('a', load);
    now += 5 * 60_000 - 1;
    await cache.get('a', load);
    expect(loads).toBe(1);
    now += 1;
    await cache.get('a', load);
    expect(loads).toBe(2);
  });

  it('should share a failure with concurrent callers and retry on the next call', async () => {
    const cache = new KeyCache(60_000);
    let calls = 0;
    const failing = () => {
      calls++;
      return new Promise<Buffer>((_, reject) => setTimeout(() => reject(new Error('locked')), 5));
    };
    const results = await Promise.allSettled([cache.get('a', failing), cache.get('a', failing)]);
    expect(results.map((r) => r.status)).toEqual(['rejected', 'rejected']);
    expect(calls).toBe(1);
    await expect(cache.get('a', () => Promise.resolve(Buffer.alloc(32)))).resolves.toHaveLength(32);
  });

  it('should not let a load that was in flight during delete() repopulate the cache', async () => {
    const cache = new KeyCache(60_000);
    let release!: () => void;
    const slow = () => new Promise<Buffer>((r) => (release = () => r(Buffer.alloc(32, 1))));
    const pending = cache.get('user:1', slow);
    cache.delete('user:1');
    release();
    await pending;
    expect(cache.size).toBe(0);
    let loaded = 0;
    await cache.get('user:1', () => Promise.resolve(Buffer.alloc(32, ++loaded)));
    expect(loaded).toBe(1);
  });
});
