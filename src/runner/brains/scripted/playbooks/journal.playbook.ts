import { addDays } from '../../../../common/dates.js';
import { composeJournal } from '../../scripted-content.js';
import { idOf, rowOf } from '../answers.js';
import type { Row } from '../answers.js';
import type { PlayContext } from '../play-context.js';
import type { Playbook } from './playbook.js';

const MOODS = ['great', 'good', 'okay', 'low', 'bad'];

/**
 * The journal: today's entry (or one for a day it missed), titled, with a mood and a tag or two; a
 * line more before bed; then a look back: the last entry or two, that day, the past week, or
 * everything up to that day. The newbie presses save on an empty entry.
 */
export const journalPlaybook: Playbook = {
  module: 'journal',
  async play(ctx) {
    if (ctx.confused && ctx.rng.chance(0.25)) {
      await ctx.slip('journal.add', { title: 'today' });
      return;
    }
    const entryDate = ctx.rng.chance(0.7) ? ctx.today.date : addDays(ctx.today.date, -ctx.rng.int(1, 3));
    const made = await ctx.call('journal.add', entryOf(ctx, entryDate));
    if (!idOf(rowOf(made, 'entry'))) return;
    if (ctx.rng.chance(0.5)) {
      await ctx.call('journal.add', { content: ctx.rng.pick(ctx.voice.journalClosings), entryDate });
    }
    await ctx.call('journal.list', lookBack(ctx, entryDate));
  },
};

function entryOf(ctx: PlayContext, entryDate: string): Row {
  const input: Row = { content: composeJournal(ctx.voice, ctx.rng) };
  if (ctx.rng.chance(0.8)) input.title = `${ctx.today.weekday}, ${ctx.today.date}`;
  if (entryDate !== ctx.today.date || ctx.rng.chance(0.6)) input.entryDate = entryDate;
  if (ctx.rng.chance(0.7)) input.mood = ctx.rng.pick(MOODS);
  if (ctx.rng.chance(0.7)) {
    const first = ctx.rng.pick(ctx.voice.topics);
    const second = ctx.rng.pick(ctx.voice.topics);
    input.tags = ctx.rng.chance(0.5) && second !== first ? [first, second] : [first];
  }
  return input;
}

function lookBack(ctx: PlayContext, entryDate: string): Row {
  const way = ctx.rng.int(0, 9);
  if (way <= 2) return { from: entryDate, to: entryDate, limit: 50 };
  if (way === 3) return { from: addDays(ctx.today.date, -7) };
  if (way === 4) return { to: entryDate, limit: 5 };
  return { limit: ctx.rng.pick([1, 1, 2]) };
}
