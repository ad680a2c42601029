import { z } from 'zod';
import { decryptionFailed, isoDate, isoDateTime, text, unreadableFields } from '../common/tool-schemas.js';

export const MAX_EVENT_DAYS = 366;
export const MAX_RANGE_DAYS = 366;
export const MAX_EVENTS_LISTED = 500;
const DAY_MS = 86_400_000;

export const createEventInput = z
  .object({
    title: text(200),
    description: text(5000).optional(),
    location: text(300).optional(),
    startsAt: isoDateTime(),
    endsAt: isoDateTime().describe('must not be before startsAt'),
    allDay: z.boolean().default(false),
  })
  .strict()
  .refine((v) => Date.parse(v.endsAt) >= Date.parse(v.startsAt), {
    message: 'endsAt must not be before startsAt',
    path: ['endsAt'],
  })
  .refine((v) => Date.parse(v.endsAt) - Date.parse(v.startsAt) <= MAX_EVENT_DAYS * DAY_MS, {
    message: `an event lasts at most ${MAX_EVENT_DAYS} days`,
    path: ['endsAt'],
  });

const boundary = z
  .union([isoDate(), isoDateTime()])
  .describe('YYYY-MM-DD (midnight UTC) or an ISO date-time');

export const listEventsInput = z
  .object({ from: boundary, to: boundary.describe('exclusive end of the range') })
  .strict()
  .refine((v) => toInstant(v.to) > toInstant(v.from), { message: 'to must be after from', path: ['to'] })
  .refine((v) => toInstant(v.to) - toInstant(v.from) <= MAX_RANGE_DAYS * DAY_MS, {
    message: `the range spans at most ${MAX_RANGE_DAYS} days`,
    path: ['to'],
  });

/** Milliseconds since the epoch; a bare date is midnight UTC. */
export function toInstant(value: string): number {
  return Date.parse(/^\d{4}-\d{2}-\d{2}$/.test(value) ? `${value}T00:00:00Z` : value);
}

export const eventOutput = z.object({
  id: z.string(),
  title: z.string().nullable(),
  description: z.string().nullable(),
  location: z.string().nullable(),
  startsAt: z.string(),
  endsAt: z.string(),
  allDay: z.boolean(),
  createdAt: z.string(),
  decryptionFailed: decryptionFailed(),
  unreadableFields: unreadableFields(),
});
export type EventOutput = z.infer<typeof eventOutput>;

export const eventResultOutput = z.object({ event: eventOutput });
export const eventListOutput = z.object({
  items: z.array(eventOutput).describe('events overlapping the range, by start time'),
  count: z.number(),
  truncated: z.boolean().describe(`true when more than ${MAX_EVENTS_LISTED} events overlap the range`),
});

export type CreateEventInput = z.infer<typeof createEventInput>;
export type ListEventsInput = z.infer<typeof listEventsInput>;
