import { Inject, Injectable } from '@nestjs/common';
import { LessThan, MoreThan } from 'typeorm';
import type { Decrypted } from '../../crypto/entity-cipher.service.js';
import { SpaceDataRepository } from '../common/space-data.repository.js';
import type { SpaceScope } from '../common/space-data.repository.js';
import { CalendarEventEntity } from './calendar-event.entity.js';
import { MAX_EVENTS_LISTED, toInstant } from './calendar.schemas.js';
import type { CreateEventInput, EventOutput, ListEventsInput } from './calendar.schemas.js';

@Injectable()
export class CalendarService {
  constructor(@Inject(SpaceDataRepository) private readonly data: SpaceDataRepository) {}

  async create(scope: SpaceScope, input: CreateEventInput): Promise<EventOutput> {
    const event = await this.data.insert(CalendarEventEntity, scope, {
      title: input.title.trim(),
      description: input.description ?? null,
      location: input.location ?? null,
      startsAt: new Date(input.startsAt),
      endsAt: new Date(input.endsAt),
      allDay: input.allDay,
    });
    return map(event);
  }

  /** Events overlapping [from, to): they start before `to` and end after `from` (or are instants at `from`). */
  async list(scope: SpaceScope, input: ListEventsInput) {
    const from = new Date(toInstant(input.from));
    const to = new Date(toInstant(input.to));
    const [overlapping, instants] = await Promise.all([
      this.data.find(CalendarEventEntity, scope, {
        where: { startsAt: LessThan(to), endsAt: MoreThan(from) },
        order: { startsAt: 'ASC', id: 'ASC' },
        take: MAX_EVENTS_LISTED + 1,
      }),
      this.data.find(CalendarEventEntity, scope, {
        where: { startsAt: from, endsAt: from },
        take: MAX_EVENTS_LISTED + 1,
      }),
    ]);
    const all = [...instants, ...overlapping].sort(
      (a, b) => a.startsAt.getTime() - b.startsAt.getTime() || a.id.localeCompare(b.id),
    );
    const items = all.slice(0, MAX_EVENTS_LISTED).map(map);
    return { items, count: items.length, truncated: all.length > MAX_EVENTS_LISTED };
  }
}

function map(e: Decrypted<CalendarEventEntity>): EventOutput {
  return {
    id: e.id,
    title: e.title,
    description: e.description,
    location: e.location,
    startsAt: e.startsAt.toISOString(),
    endsAt: e.endsAt.toISOString(),
    allDay: e.allDay,
    createdAt: e.createdAt.toISOString(),
    decryptionFailed: e.unreadableFields.length > 0,
    unreadableFields: e.unreadableFields,
  };
}
