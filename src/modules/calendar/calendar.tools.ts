import { Inject, Injectable } from '@nestjs/common';
import { Tool } from '../../tool-contract/tool.decorator.js';
import type { ToolContext, ToolInput } from '../../tool-contract/tool.types.js';
import { CalendarService } from './calendar.service.js';
import {
  MAX_EVENTS_LISTED,
  createEventInput,
  eventListOutput,
  eventResultOutput,
  listEventsInput,
} from './calendar.schemas.js';

/** The calendar tools. Title, description and location are stored encrypted with the space key. */
@Injectable()
export class CalendarTools {
  constructor(@Inject(CalendarService) private readonly calendar: CalendarService) {}

  @Tool({
    name: 'calendar.create_event',
    module: 'calendar',
    scope: 'user-space',
    policy: 'write',
    description:
      'Add an event with ISO start and end date-times (end not before start), optional description and location.',
    input: createEventInput,
    output: eventResultOutput,
    semantics: {
      effect: 'create',
      entity: 'event',
      result: 'event',
      // the title is trimmed; description and location are stored as sent; times come back in UTC
      echo: [
        { input: 'title', compare: 'text' },
        { input: 'description', compare: 'exact' },
        { input: 'location', compare: 'exact' },
        { input: 'startsAt', compare: 'instant' },
        { input: 'endsAt', compare: 'instant' },
        { input: 'allDay', compare: 'exact' },
      ],
      idempotent: false,
    },
  })
  async createEvent(input: ToolInput<typeof createEventInput>, ctx: ToolContext) {
    return { event: await this.calendar.create(ctx, input) };
  }

  @Tool({
    name: 'calendar.list_events',
    module: 'calendar',
    scope: 'user-space',
    policy: 'read',
    description: 'List events overlapping a range [from, to) of at most 366 days, by start time.',
    input: listEventsInput,
    output: eventListOutput,
    semantics: {
      effect: 'list',
      entity: 'event',
      list: {
        items: 'items',
        // startsAt is stored to the millisecond, so the id tie-break is visible in the answer
        order: {
          fixed: [
            { field: 'startsAt', direction: 'asc' },
            { field: 'id', direction: 'asc' },
          ],
        },
        // starts before `to` and ends after `from` (plus zero-length events at exactly `from`); a bare
        // date is midnight UTC
        filters: [{ kind: 'overlaps', input: 'from', inputEnd: 'to', field: 'startsAt', endField: 'endsAt' }],
        // no limit input: every overlapping event up to 500 (truncated says when there were more)
        complete: true,
        unreadableFlag: 'decryptionFailed',
        truncated: { field: 'truncated', max: MAX_EVENTS_LISTED },
      },
      derived: [{ field: 'count', rule: 'count', of: 'items' }],
      idempotent: true,
    },
  })
  listEvents(input: ToolInput<typeof listEventsInput>, ctx: ToolContext) {
    return this.calendar.list(ctx, input);
  }
}
