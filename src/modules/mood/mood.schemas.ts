import { z } from 'zod';
import { decryptionFailed, text, unreadableFields } from '../common/tool-schemas.js';
import { ACTIVITIES, EMOTIONS } from './mood-entry.entity.js';

export const logMoodInput = z
  .object({
    level: z.int().min(1).max(10).describe('1 = very bad, 10 = excellent'),
    emotion: z.enum(EMOTIONS),
    activity: z.enum(ACTIVITIES).optional().describe('what you were doing'),
    notes: text(2000).optional(),
  })
  .strict();

export const recentMoodInput = z
  .object({
    days: z.int().min(1).max(90).default(7),
    limit: z.int().min(1).max(100).default(20),
  })
  .strict();

export const moodEntryOutput = z.object({
  id: z.string(),
  level: z.number(),
  emotion: z.enum(EMOTIONS),
  activity: z.enum(ACTIVITIES).nullable(),
  notes: z.string().nullable(),
  loggedAt: z.string(),
  decryptionFailed: decryptionFailed(),
  unreadableFields: unreadableFields(),
});
export type MoodEntryOutput = z.infer<typeof moodEntryOutput>;

export const moodResultOutput = z.object({ entry: moodEntryOutput });
export const moodRecentOutput = z.object({
  items: z.array(moodEntryOutput).describe('newest first'),
  count: z.number(),
  averageLevel: z.number().nullable().describe('mean level of the returned entries, null when none'),
});

export type LogMoodInput = z.infer<typeof logMoodInput>;
export type RecentMoodInput = z.infer<typeof recentMoodInput>;
