import { readFileSync, writeFileSync } from 'node:fs';
import { ScriptedDay } from './scripted.brain.js';
import { singleDay } from './testing/single-day.js';
import type { SingleDayOptions } from './testing/single-day.js';

/**
 * The scripted brain's exact days, pinned: for 3 seeds × 3 archetypes, the tool calls in order, each
 * as its name and its sorted input keys (a `@space` mark when it acted in a shared space, `!` for a
 * slip). A change to a playbook shows here as a diff to review. Regenerate after a deliberate change:
 *   UPDATE_GOLDEN=1 NODE_OPTIONS=--experimental-vm-modules npx jest src/runner/brains/scripted/scripted-golden
 */
const GOLDEN = 'src/runner/brains/scripted/__golden__/scripted-sequences.json';
const SEEDS = ['golden-1', 'golden-2', 'golden-3'];
const ARCHETYPES = ['adhd-student', 'ceo-busy', 'overwhelmed-newbie'];
const MIX = { todo: 3, notes: 2, journal: 1, habits: 2, mood: 1, calendar: 2, contacts: 1, spaces: 1 };

async function sequence(options: SingleDayOptions): Promise<string[]> {
  const { day, calls } = singleDay({ mix: MIX, destructiveTools: true, ...options });
  await day.play();
  return calls.map(
    (c) =>
      `${c.expectError ? '!' : ''}${c.name}(${Object.keys(c.input).sort().join(',')})${c.spaceId ? '@space' : ''}`,
  );
}

async function sequences(): Promise<Record<string, string[]>> {
  const out: Record<string, string[]> = {};
  for (const seed of SEEDS) {
    for (const archetype of ARCHETYPES) out[`${seed}|${archetype}`] = await sequence({ seed, archetype });
  }
  return out;
}

describe(`${ScriptedDay.name} golden days`, () => {
  it('should play the pinned tool-call sequences (UPDATE_GOLDEN=1 rewrites them)', async () => {
    const actual = await sequences();
    if (process.env.UPDATE_GOLDEN === '1') {
      writeFileSync(GOLDEN, `${JSON.stringify(actual, null, 2)}\n`);
    }
    const golden = JSON.parse(readFileSync(GOLDEN, 'utf8')) as Record<string, string[]>;
    expect(actual).toEqual(golden);
  });

  it('should play the same day for the same seed, persona and date', async () => {
    expect(await sequence({ seed: 'golden-1' })).toEqual(await sequence({ seed: 'golden-1' }));
  });

  it('should play another day for another seed, date or persona', async () => {
    const base = await sequence({ seed: 'golden-1' });
    const full = async (options: SingleDayOptions) => {
      const { day, calls } = singleDay({ mix: MIX, ...options });
      await day.play();
      return calls.map((c) => [c.name, c.input]);
    };
    const baseFull = await full({ seed: 'golden-1' });
    expect(base.length).toBeGreaterThan(0);
    for (const other of [
      { seed: 'golden-2' },
      { seed: 'golden-1', date: '2025-03-05' },
      { seed: 'golden-1', persona: '0a1b2c3d-0000-4000-a000-000000000001' },
    ]) {
      expect(await full(other)).not.toEqual(baseFull);
    }
  });
});
