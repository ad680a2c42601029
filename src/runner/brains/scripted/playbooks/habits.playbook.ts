import { addDays } from '../../../../common/dates.js';
import { idOf, itemsOf, rowOf, withSuffix } from '../answers.js';
import type { Row } from '../answers.js';
import type { PlayContext } from '../play-context.js';
import type { Playbook } from './playbook.js';

const COLORS = ['#22aa88', '#aa2288', '#3366cc', '#f5a623'];
const EMOJIS = ['💧', '📚', '🏃', '🎨', '✅', '🧘'];

/**
 * Habits: a look at the list (now and then at the archived ones, bringing one back), at the last
 * week's check-ins when it remembers checking in yesterday, a new habit when there is none or it
 * feels like it, then a check-in (today, or a day it forgot) and one more thing: the same check-in
 * again, that habit's streak, a break from it, or a tweak. The newbie checks in on a habit that is
 * not there, or writes the day the way people say it. With delete tools on, a habit that is on its
 * list twice loses its newer copy, and a habit it just made on a whim goes again.
 */
export const habitsPlaybook: Playbook = {
  module: 'habits',
  async play(ctx) {
    if (ctx.rng.chance(0.15)) await bringOneBack(ctx);
    let habits = itemsOf(await ctx.call('habits.list', {}));
    const twin = habits.find((h, i) => habits.findIndex((o) => o.title === h.title) < i);
    const twinId = idOf(twin);
    if (twin && twinId && ctx.has('habits.delete') && ctx.rng.chance(0.7)) {
      // the same habit twice on the list: the newer one goes
      await ctx.call('habits.delete', { id: twinId });
      habits = habits.filter((h) => h !== twin);
    }
    if (ctx.rng.chance(0.5)) await lookBackAtCheckIns(ctx);
    let made: string | null = null;
    if (habits.length === 0 || ctx.rng.chance(0.3)) {
      const habit = rowOf(await ctx.call('habits.create', habitOf(ctx)), 'habit');
      made = idOf(habit);
      if (!made || !habit) return;
      const again = itemsOf(await ctx.call('habits.list', {}));
      habits = again.length > 0 ? again : [habit];
    }
    if (ctx.confused && ctx.rng.chance(0.35)) {
      if (ctx.rng.chance(0.5)) await ctx.slip('habits.log', { habitId: ctx.rng.uuid() });
      else await ctx.slip('habits.log', { habitId: idOf(habits[0]) ?? ctx.rng.uuid(), day: 'yesterday' });
      return;
    }
    const habit = ctx.rng.pick(habits);
    const id = idOf(habit);
    if (!id) return;
    const checkIn: Row = { habitId: id };
    if (ctx.rng.chance(0.7)) checkIn.day = addDays(ctx.today.date, -ctx.rng.pick([0, 0, 1, 2, 3]));
    if (ctx.rng.chance(0.6)) checkIn.count = ctx.rng.pick([1, 1, 2, 3]);
    if (!(await ctx.call('habits.log', checkIn))?.ok) return;
    const next = ctx.rng.pick([0, 1, 1, 2, 2, 3, 3, 3]);
    if (next === 0) await ctx.call('habits.log', checkIn);
    else if (next === 1)
      await ctx.call('habits.recent_logs', { habitId: id, days: ctx.rng.pick([7, 14, 30]) });
    else if (next === 2) await takeABreak(ctx, id);
    else await tweak(ctx, habit, id);
    if (made && ctx.has('habits.delete') && ctx.rng.chance(0.6)) {
      await ctx.call('habits.delete', { id: made });
    }
  },
};

function habitOf(ctx: PlayContext): Row {
  const input: Row = { title: ctx.rng.pick(ctx.voice.habits) };
  if (ctx.rng.chance(0.5)) input.target = { count: ctx.rng.int(1, 5), per: ctx.rng.pick(['day', 'week']) };
  if (ctx.rng.chance(0.3)) input.color = ctx.rng.pick(COLORS);
  if (ctx.rng.chance(0.3)) input.emoji = ctx.rng.pick(EMOJIS);
  return input;
}

/** Archived, a look at the list without it, and back again (a break, not goodbye). */
async function takeABreak(ctx: PlayContext, id: string): Promise<void> {
  if (!(await ctx.call('habits.archive', { id }))?.ok) return;
  await ctx.call('habits.list', {});
  await ctx.call('habits.archive', { id, archived: false });
}

/** A clearer title and sometimes a new target, emoji or colour, or one of them removed. */
async function tweak(ctx: PlayContext, habit: Row, id: string): Promise<void> {
  const patch: Row = { id, title: withSuffix(habit.title, ' (daily)', 100) };
  if (ctx.rng.chance(0.5)) {
    patch.target = habit.target && ctx.rng.chance(0.4) ? null : { count: ctx.rng.int(1, 3), per: 'day' };
  }
  if (ctx.rng.chance(0.5)) patch.emoji = habit.emoji ? null : ctx.rng.pick(EMOJIS);
  if (ctx.rng.chance(0.5)) patch.color = habit.color ? null : ctx.rng.pick(COLORS);
  if (!(await ctx.call('habits.update', patch))?.ok) return;
  await ctx.call('habits.list', {});
}

/** The archived habits, and the first of them back on the list. */
async function bringOneBack(ctx: PlayContext): Promise<void> {
  const archived = itemsOf(await ctx.call('habits.list', { archived: true }));
  const id = idOf(archived[0]);
  if (id) await ctx.call('habits.archive', { id, archived: false });
}

/** It remembers checking in yesterday: how did the last week go? */
async function lookBackAtCheckIns(ctx: PlayContext): Promise<void> {
  const since = addDays(ctx.today.date, -1);
  const yesterday = (ctx.memory?.days ?? []).some(
    (d) => d.date >= since && d.date < ctx.today.date && d.calls.some((c) => c.tool === 'habits.log' && c.ok),
  );
  if (yesterday) await ctx.call('habits.recent_logs', { days: 7 });
}
