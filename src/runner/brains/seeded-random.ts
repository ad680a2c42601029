import { createHash } from 'node:crypto';

/**
 * A small deterministic PRNG (sfc32) seeded from a string, so the scripted brain plays the same
 * day for the same (seed, persona, date) on any machine.
 */
export class SeededRandom {
  private a: number;
  private b: number;
  private c: number;
  private d: number;

  constructor(seed: string) {
    const digest = createHash('sha256').update(seed).digest();
    this.a = digest.readUInt32LE(0);
    this.b = digest.readUInt32LE(4);
    this.c = digest.readUInt32LE(8);
    this.d = digest.readUInt32LE(12);
    for (let i = 0; i < 12; i += 1) this.next();
  }

  /** A float in [0, 1). */
  next(): number {
    this.a >>>= 0;
    this.b >>>= 0;
    this.c >>>= 0;
    this.d >>>= 0;
    const t = (((this.a + this.b) | 0) + this.d) | 0;
    this.d = (this.d + 1) | 0;
    this.a = this.b ^ (this.b >>> 9);
    this.b = (this.c + (this.c << 3)) | 0;
    this.c = (this.c << 21) | (this.c >>> 11);
    this.c = (this.c + t) | 0;
    return (t >>> 0) / 4294967296;
  }

  /** A whole number in [min, max]. */
  int(min: number, max: number): number {
    return min + Math.floor(this.next() * (max - min + 1));
  }

  chance(probability: number): boolean {
    return this.next() < probability;
  }

  pick<T>(items: readonly T[]): T {
    if (items.length === 0) throw new Error('pick from an empty list');
    return items[Math.floor(this.next() * items.length)];
  }

  /** Up to `count` distinct items, each draw weighted (weights ≤ 0 are never drawn). */
  weightedSample<T>(items: ReadonlyArray<{ item: T; weight: number }>, count: number): T[] {
    const pool = items.filter((i) => i.weight > 0);
    const out: T[] = [];
    while (out.length < count && pool.length > 0) {
      const total = pool.reduce((sum, i) => sum + i.weight, 0);
      let roll = this.next() * total;
      let index = pool.length - 1;
      for (let i = 0; i < pool.length; i += 1) {
        roll -= pool[i].weight;
        if (roll < 0) {
          index = i;
          break;
        }
      }
      out.push(pool[index].item);
      pool.splice(index, 1);
    }
    return out;
  }

  /** A version-4-shaped uuid made of this generator's bits (for ids that must not exist). */
  uuid(): string {
    const hex = Array.from({ length: 32 }, () => this.int(0, 15).toString(16)).join('');
    return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-4${hex.slice(13, 16)}-a${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
  }
}
