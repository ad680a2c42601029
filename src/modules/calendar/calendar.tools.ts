import { Inject, Injectable } from '@nestjs/common';
import { Tool } from '../../tool-contract/tool.decorator.js';
import type { ToolContext, ToolInput } from '../../tool-contract/tool.types.js';
import { CalendarService } from './calendar.service.js';
import { createEventInput, eventListOutput, eventResultOutput, listEventsInput } from './calendar.schemas.js';

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
  })
  listEvents(input: ToolInput<typeof listEventsInput>, ctx: ToolContext) {
    return this.calendar.list(ctx, input);
  }
}
