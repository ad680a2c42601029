import type { ModuleMix, TickCadence } from '../../../personas/schedule/persona-schedule.types.js';
import type { SeededRandom } from '../seeded-random.js';

export interface DayPlanInput {
  mix: ModuleMix;
  /** Modules the persona can play today: listed by the server and known to a playbook. */
  playable: ReadonlySet<string>;
  cadence: TickCadence;
  confused: boolean;
}

/**
 * Today's modules, weighted draws from the persona's mix among the playable ones (a module of weight
 * 0 is never drawn; a mix with none playable falls back to every playable module, equally). How
 * many: the newbie manages 1–2; an hourly persona drops in for 2–3; a persona that comes once a day
 * goes through 4–5 of its modules in that one visit (shorter each: the day's turns are shared).
 */
export function planDay(input: DayPlanInput, rng: SeededRandom): string[] {
  let entries = Object.entries(input.mix)
    .filter(([module, weight]) => input.playable.has(module) && weight > 0)
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([item, weight]) => ({ item, weight }));
  if (entries.length === 0) entries = [...input.playable].sort().map((item) => ({ item, weight: 1 }));
  const count = input.confused ? rng.int(1, 2) : input.cadence === 'hourly' ? rng.int(2, 3) : rng.int(4, 5);
  return rng.weightedSample(entries, Math.min(count, entries.length));
}

/** The turns the next module may use: an even share of what is left, so every planned module gets played. */
export function moduleShare(turnsLeft: number, modulesLeft: number): number {
  return Math.max(1, Math.ceil(turnsLeft / Math.max(1, modulesLeft)));
}
