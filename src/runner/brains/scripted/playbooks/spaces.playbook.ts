import { addDays } from '../../../../common/dates.js';
import { idOf, itemsOf, rowOf } from '../answers.js';
import { planEvent } from './calendar.playbook.js';
import type { Playbook } from './playbook.js';

/**
 * Shared spaces: it looks at its spaces and, when it shares one (family, team, ...), does something
 * there for the others: an event in a family calendar, or a task on the shared list, which it looks
 * at and sometimes ticks off. It only ever touches what it wrote there itself.
 */
export const spacesPlaybook: Playbook = {
  module: 'spaces',
  async play(ctx) {
    const shared = itemsOf(await ctx.call('spaces.list', {})).filter(
      (s): s is { id: string; name: string; type: string } =>
        idOf(s) !== null && typeof s.name === 'string' && typeof s.type === 'string' && s.type !== 'personal',
    );
    if (shared.length === 0) return;
    const space = ctx.rng.pick(shared);
    if (space.type === 'family' && ctx.has('calendar.create_event') && ctx.rng.chance(0.5)) {
      return planEvent(ctx, space.id);
    }
    const made = await ctx.call(
      'todo.create',
      {
        title: `${ctx.rng.pick(ctx.voice.todos)} (for ${space.name})`,
        priority: ctx.rng.pick(ctx.voice.priorities),
        dueDate: addDays(ctx.today.date, ctx.rng.int(1, 7)),
      },
      { spaceId: space.id },
    );
    const id = idOf(rowOf(made, 'task'));
    if (!id) return;
    await ctx.call('todo.list', { status: 'all', order: 'newest', limit: 100 }, { spaceId: space.id });
    if (ctx.rng.chance(0.3)) await ctx.call('todo.complete', { id }, { spaceId: space.id });
  },
};
