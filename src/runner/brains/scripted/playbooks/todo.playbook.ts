import { addDays } from '../../../../common/dates.js';
import { idOf, itemsOf, rowOf, withSuffix } from '../answers.js';
import type { Row } from '../answers.js';
import type { PlayContext } from '../play-context.js';
import type { Playbook } from './playbook.js';

const PRIORITIES = ['low', 'medium', 'high', 'urgent'];

/**
 * The to-do list: finish something from an earlier day, jot a quick one down, write today's task
 * properly (priority, due date, a line of detail, steps), glance at the list, then either get it
 * done or push it out. The newbie completes a task it half-remembers and writes dates the way people
 * say them. With delete tools on, the quick jot turns out to be a duplicate and goes.
 */
export const todoPlaybook: Playbook = {
  module: 'todo',
  async play(ctx) {
    if (ctx.confused && ctx.rng.chance(0.5)) await ctx.slip('todo.complete', { id: ctx.rng.uuid() });
    if (!ctx.confused && ctx.rng.chance(0.3)) await finishEarlierTask(ctx);
    const title = ctx.rng.pick(ctx.voice.todos);
    if (ctx.confused && ctx.rng.chance(0.35)) {
      await ctx.slip('todo.create', { title, dueDate: 'next friday' });
      return;
    }
    const jotted = ctx.rng.chance(0.4)
      ? idOf(rowOf(await ctx.call('todo.create', { title: ctx.rng.pick(ctx.voice.todos) }), 'task'))
      : null;
    const task = rowOf(await ctx.call('todo.create', taskOf(ctx, title)), 'task');
    const id = idOf(task);
    if (!task || !id) return;
    // the quick one was the same thing, really
    if (jotted && ctx.has('todo.delete') && ctx.rng.chance(0.6))
      await ctx.call('todo.delete', { id: jotted });
    await ctx.call('todo.list', { status: 'all', order: 'newest', limit: ctx.rng.pick([1, 1, 2, 3, 5]) });
    if (ctx.rng.chance(0.55)) await getItDone(ctx, id);
    else await pushItOut(ctx, task, id);
  },
};

function taskOf(ctx: PlayContext, title: string): Row {
  const input: Row = { title };
  if (ctx.rng.chance(0.9)) input.priority = ctx.rng.pick(ctx.voice.priorities);
  if (ctx.rng.chance(0.8)) input.dueDate = addDays(ctx.today.date, ctx.rng.int(0, 7));
  if (ctx.rng.chance(0.4)) input.description = `For ${ctx.today.weekday}: ${title.toLowerCase()}.`;
  if (ctx.rng.chance(0.3)) input.subtasks = stepsOf(ctx, title);
  return input;
}

function stepsOf(ctx: PlayContext, title: string): string[] {
  const topic = ctx.rng.pick(ctx.voice.topics);
  return ctx.rng.pick([
    ['Start', 'Finish'],
    [`Look at the ${topic} bit first`, `Then: ${title.toLowerCase()}`],
    ['Gather what I need', 'Do it', 'Tick it off'],
  ]);
}

/** Done, and a look at what is still open; now and then it was not done after all. */
async function getItDone(ctx: PlayContext, id: string): Promise<void> {
  const done = await ctx.call('todo.complete', { id });
  if (!done?.ok) return;
  await ctx.call('todo.list', { status: 'open', order: 'due', limit: ctx.rng.pick([5, 20, 50]) });
  if (ctx.rng.chance(0.2)) await ctx.call('todo.update', { id, status: 'open' });
}

/** Not today: a later date and another priority, sometimes a new title, steps or detail (or none). */
async function pushItOut(ctx: PlayContext, task: Row, id: string): Promise<void> {
  const patch: Row = { id, priority: ctx.rng.pick(PRIORITIES.filter((p) => p !== task.priority)) };
  patch.dueDate = ctx.rng.chance(0.2) ? null : addDays(ctx.today.date, ctx.rng.int(8, 14));
  if (ctx.rng.chance(0.5)) patch.title = withSuffix(task.title, ' (moved)', 200);
  if (typeof task.description === 'string' && task.description !== '' && ctx.rng.chance(0.5)) {
    patch.description = null;
  } else if (ctx.rng.chance(0.3)) {
    patch.description = `Pushed on ${ctx.today.weekday}, ${ctx.rng.pick(ctx.voice.journalClosings).toLowerCase()}`;
  }
  const steps = Array.isArray(task.subtasks) ? task.subtasks : [];
  if (steps.length > 0 && ctx.rng.chance(0.3)) patch.subtasks = null;
  else if (ctx.rng.chance(0.3)) {
    patch.subtasks = stepsOf(ctx, String(task.title)).map((title, i) => ({ title, done: i === 0 }));
  }
  const updated = await ctx.call('todo.update', patch);
  if (updated?.ok) await ctx.call('todo.list', { status: 'all', order: 'newest', limit: 50 });
}

/**
 * Earlier work: the open task due soonest that it wrote on an earlier visit (six hours ago or more)
 * gets done now. Nothing from earlier: it just looked.
 */
async function finishEarlierTask(ctx: PlayContext): Promise<void> {
  const earlierVisit = ctx.today.at.getTime() - 6 * 3_600_000;
  const open = itemsOf(await ctx.call('todo.list', { status: 'open', order: 'due', limit: 20 }));
  const earlier = open.find(
    (t) => typeof t.createdAt === 'string' && Date.parse(t.createdAt) < earlierVisit && idOf(t) !== null,
  );
  if (earlier) await ctx.call('todo.complete', { id: earlier.id });
}
