import { setTimeout as sleep } from 'node:timers/promises';
import { LiveAnswerCache } from './live-answer.cache.js';
import type { AuthUser } from '../auth.types.js';

const ID = '0b6f2c4e-8a51-4c4e-9d1f-2f6a0e3b7c10';
const user = (role: AuthUser['role'] = 'user'): AuthUser => ({
  id: ID,
  email: 'a@example.com',
  kind: 'human',
  tier: 'public',
  role,
});

/** A loader that answers from `current` and counts its calls. */
function source(initial: AuthUser | undefined) {
  const state = { current: initial, reads: 0 };
  const load = async () => {
    state.reads++;
    return state.current ? { ...state.current } : undefined;
  };
  return { state, load };
}

describe(LiveAnswerCache.name, () => {
  it('should read an account once and answer from memory within the TTL', async () => {
    const cache = new LiveAnswerCache<AuthUser>(10_000);
    const { state, load } = source(user());
    for (let i = 0; i < 5; i++) expect(await cache.get(ID, load)).toEqual(user());
    expect(state.reads).toBe(1);
  });

  it('should read again once the TTL has passed', async () => {
    const cache = new LiveAnswerCache<AuthUser>(40);
    const { state, load } = source(user());
    await cache.get(ID, load);
    state.current = user('admin');
    expect((await cache.get(ID, load))?.role).toBe('user');
    await sleep(80);
    expect((await cache.get(ID, load))?.role).toBe('admin');
    expect(state.reads).toBe(2);
  });

  it('should read on every call when the TTL is 0', async () => {
    const cache = new LiveAnswerCache<AuthUser>(0);
    const { state, load } = source(user());
    await cache.get(ID, load);
    await cache.get(ID, load);
    expect(state.reads).toBe(2);
  });

  it('should never cache a missing or disabled account (a lockout is never delayed by a miss)', async () => {
    const cache = new LiveAnswerCache<AuthUser>(10_000);
    const { state, load } = source(undefined);
    expect(await cache.get(ID, load)).toBeUndefined();
    state.current = user();
    expect(await cache.get(ID, load)).toEqual(user());
    expect(state.reads).toBe(2);
  });

  it('should drop a forgotten account at once and keep it out while the change may still be committing', async () => {
    const cache = new LiveAnswerCache<AuthUser>(10_000);
    const { state, load } = source(user());
    await cache.get(ID, load);
    cache.forget(ID);
    state.current = undefined; // disabled
    expect(await cache.get(ID, load)).toBeUndefined();
    // a read that raced the change and still saw the old row must not be cached
    state.current = user();
    await cache.get(ID, load);
    await cache.get(ID, load);
    expect(state.reads).toBe(4);
  });

  it('should not let a read that began before forget() put the old row back', async () => {
    const cache = new LiveAnswerCache<AuthUser>(10_000);
    let release!: () => void;
    const slow = () =>
      new Promise<AuthUser>((resolve) => {
        release = () => resolve(user());
      });
    const pending = cache.get(ID, slow);
    cache.forget(ID);
    release();
    expect(await pending).toEqual(user());
    const { state, load } = source(undefined);
    expect(await cache.get(ID, load)).toBeUndefined();
    expect(state.reads).toBe(1);
  });

  it('should hand out frozen accounts so no request can change what the next one sees', async () => {
    const cache = new LiveAnswerCache<AuthUser>(10_000);
    const { load } = source(user());
    await cache.get(ID, load);
    const cached = (await cache.get(ID, load)) as AuthUser;
    expect(Object.isFrozen(cached)).toBe(true);
  });
});
