/** One round of a runner's worker pool: how to claim, how to play a claim, and when to stop claiming. */
export interface ClaimPool<C> {
  /** Ticks played at once (PERSONA_CONCURRENCY). */
  concurrency: number;
  /**
   * Asked before each claim: false stops claiming (stop, pause, budget). `afterTicks` is true once
   * a tick has run in this round (something was spent: the time to re-read a budget).
   */
  mayClaim(afterTicks: boolean): Promise<boolean> | boolean;
  /** Claims up to `free` personas (never one this round already played). */
  claim(free: number): Promise<C[]>;
  /** Plays one claim to its end; never rejects. */
  play(claim: C): Promise<void>;
}

/**
 * The worker pool both runners play a round with (RunnerService in-process, RemoteRunner on another
 * host): whenever a slot is free it claims as many personas as there are free slots, so a lease is
 * only taken when a worker can start at once, and one slow tick never holds back a batch. The round
 * ends when nothing more is claimed and nothing runs, or when `mayClaim` says stop (the running
 * ticks are waited for). A failing `claim` ends the round at once with its error.
 */
export async function playClaimPool<C>(pool: ClaimPool<C>): Promise<void> {
  const active = new Set<Promise<void>>();
  let played = false;
  for (;;) {
    if (!(await pool.mayClaim(played))) break;
    const free = pool.concurrency - active.size;
    const claimed = free > 0 ? await pool.claim(free) : [];
    for (const claim of claimed) {
      played = true;
      const work: Promise<void> = pool.play(claim).finally(() => active.delete(work));
      active.add(work);
    }
    if (active.size === 0) break;
    await Promise.race(active);
  }
  await Promise.allSettled(active);
}
