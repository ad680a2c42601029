import type { SeededRandom } from '../../seeded-random.js';
import type { Row } from '../answers.js';
import type { PlayContext } from '../play-context.js';
import type { Playbook } from './playbook.js';

const LOW_EMOTIONS = ['stressed', 'anxious', 'overwhelmed', 'tired', 'frustrated', 'sad'];
const MIDDLE_EMOTIONS = ['neutral', 'calm', 'content', 'tired'];
const HIGH_EMOTIONS = ['happy', 'proud', 'excited', 'grateful', 'calm', 'content'];

/**
 * Mood: how it feels right now, on the scale the tool offers, with an emotion that fits, what it was
 * doing and a line about it; then a look at its recent moods. The newbie logs a 42.
 */
export const moodPlaybook: Playbook = {
  module: 'mood',
  async play(ctx) {
    const input = moodOf(ctx);
    if (!input) return;
    if (ctx.confused && ctx.rng.chance(0.3)) {
      await ctx.slip('mood.log', { ...input, level: 42 });
      return;
    }
    if (!(await ctx.call('mood.log', input))?.ok) return;
    const look = ctx.rng.int(0, 9);
    if (look === 0) await ctx.call('mood.recent', {});
    else if (look <= 2) await ctx.call('mood.recent', { days: ctx.rng.pick([1, 3, 30]) });
    else await ctx.call('mood.recent', { days: ctx.rng.pick([7, 14]), limit: ctx.rng.pick([3, 5, 10, 20]) });
  },
};

/** Today's mood: one of the voice's moods (low to high) placed on the tool's own scale. */
function moodOf(ctx: PlayContext): Row | null {
  const schema = ctx.inputSchemaOf('mood.log');
  if (!schema) return null;
  const level = propertyOf(schema, 'level');
  const min = typeof level?.minimum === 'number' ? level.minimum : 1;
  const max = typeof level?.maximum === 'number' ? level.maximum : 10;
  const notes = ctx.voice.moodNotes;
  const step = ctx.rng.int(0, notes.length - 1);
  const share = notes.length > 1 ? step / (notes.length - 1) : 0.5;
  const input: Row = {
    level: Math.round(min + share * (max - min)),
    emotion: pickEmotion(enumOf(schema, 'emotion'), share, ctx.rng),
  };
  if (ctx.rng.chance(0.85)) input.notes = notes[step];
  if (enumOf(schema, 'activity').includes(ctx.voice.activity) && ctx.rng.chance(0.7)) {
    input.activity = ctx.voice.activity;
  }
  return input;
}

function propertyOf(schema: Record<string, unknown>, key: string): Record<string, unknown> | undefined {
  return (schema.properties as Record<string, Record<string, unknown>> | undefined)?.[key];
}

function enumOf(schema: Record<string, unknown>, key: string): string[] {
  const values = propertyOf(schema, key)?.enum;
  return Array.isArray(values) ? values.filter((v): v is string => typeof v === 'string') : [];
}

/** An emotion the tool offers that fits the level (low, middling or high). */
function pickEmotion(offered: string[], share: number, rng: SeededRandom): string {
  const wanted = share < 0.34 ? LOW_EMOTIONS : share < 0.67 ? MIDDLE_EMOTIONS : HIGH_EMOTIONS;
  const fits = offered.filter((e) => wanted.includes(e));
  return rng.pick(fits.length > 0 ? fits : offered.length > 0 ? offered : ['neutral']);
}
