import { addDays } from '../../../../common/dates.js';
import { idOf, rowOf } from '../answers.js';
import type { Row } from '../answers.js';
import { localIso } from '../local-time.js';
import type { PlayContext } from '../play-context.js';
import type { Playbook } from './playbook.js';

const PLACES = ['Office', 'Home', 'Café on the corner', 'Zoom'];

/**
 * The calendar: something in the days ahead (an hour at a time on its own clock, or a whole day),
 * then a look at the week, at that day, or at the days before it, and sometimes at what comes
 * before it too. The newbie ends an event before it starts.
 */
export const calendarPlaybook: Playbook = {
  module: 'calendar',
  play: (ctx) => planEvent(ctx),
};

/** Plans one event, in the personal space or (`spaceId`) a shared one, and looks at the calendar. */
export async function planEvent(ctx: PlayContext, spaceId?: string): Promise<void> {
  const look = ctx.rng.int(0, 3);
  const ahead = look >= 2 ? ctx.rng.int(2, 5) : ctx.rng.int(spaceId ? 1 : 0, 5);
  const day = addDays(ctx.today.date, ahead);
  const title = ctx.rng.pick(ctx.voice.events);
  const event = eventOf(ctx, title, day);
  if (!spaceId && ctx.confused && ctx.rng.chance(0.3)) {
    await ctx.slip('calendar.create_event', { title, startsAt: event.endsAt, endsAt: event.startsAt });
    return;
  }
  const made = await ctx.call('calendar.create_event', event, { spaceId });
  if (!idOf(rowOf(made, 'event'))) return;
  const today = ctx.today.date;
  const before = look >= 2;
  const from = before || look === 0 ? today : day;
  const to = before ? addDays(day, -1) : look === 1 ? addDays(day, 1) : addDays(from, 7);
  await ctx.call('calendar.list_events', { from, to }, { spaceId });
  if (!before && ahead >= 2 && ctx.rng.chance(0.6)) {
    await ctx.call('calendar.list_events', { from: today, to: addDays(day, -1) }, { spaceId });
  }
}

function eventOf(ctx: PlayContext, title: string, day: string): Row {
  const zone = ctx.persona.timezone;
  if (ctx.rng.chance(0.2)) {
    return {
      title,
      startsAt: localIso(day, 0, zone),
      endsAt: localIso(addDays(day, 1), 0, zone),
      allDay: true,
    };
  }
  const hour = ctx.rng.int(8, 18);
  const event: Row = { title, startsAt: localIso(day, hour, zone), endsAt: localIso(day, hour + 1, zone) };
  if (ctx.rng.chance(0.4)) event.location = ctx.rng.pick(PLACES);
  if (ctx.rng.chance(0.3))
    event.description = `${ctx.rng.pick(ctx.voice.topics)}: ${ctx.rng.pick(ctx.voice.todos)}`;
  if (ctx.rng.chance(0.1)) event.allDay = false;
  return event;
}
