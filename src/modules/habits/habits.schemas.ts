import { z } from 'zod';
import { hexColor, isoDate, text, uuid } from '../common/tool-schemas.js';
import { HABIT_PERIODS } from './habit.entity.js';

const target = z
  .object({
    count: z.int().min(1).max(100).describe('how many check-ins per period'),
    per: z.enum(HABIT_PERIODS),
  })
  .strict();

export const createHabitInput = z
  .object({
    title: text(100),
    emoji: text(16).optional(),
    color: hexColor().optional(),
    target: target.optional().describe('e.g. {count: 3, per: "week"}'),
  })
  .strict();

export const listHabitsInput = z
  .object({
    archived: z.boolean().default(false).describe('true lists archived habits instead of active ones'),
  })
  .strict();

export const updateHabitInput = z
  .object({
    id: uuid('habit'),
    title: text(100).optional(),
    emoji: text(16).nullable().optional().describe('null removes it'),
    color: hexColor().nullable().optional().describe('null removes it'),
    target: target.nullable().optional().describe('null removes it'),
  })
  .strict()
  .refine(
    (v) => v.title !== undefined || v.emoji !== undefined || v.color !== undefined || v.target !== undefined,
    'give at least one of title, emoji, color, target',
  );

export const archiveHabitInput = z
  .object({ id: uuid('habit'), archived: z.boolean().default(true).describe('false restores the habit') })
  .strict();

export const logHabitInput = z
  .object({
    habitId: uuid('habit'),
    day: isoDate().optional().describe('YYYY-MM-DD, default today (UTC); at most one day ahead'),
    count: z.int().min(1).max(100).default(1),
  })
  .strict();

export const recentLogsInput = z
  .object({
    habitId: uuid('habit').optional().describe('only this habit; default all habits of the space'),
    days: z.int().min(1).max(90).default(7).describe('how many days back, today included'),
  })
  .strict();

export const deleteHabitInput = z.object({ id: uuid('habit') }).strict();

export const habitOutput = z.object({
  id: z.string(),
  title: z.string(),
  emoji: z.string().nullable(),
  color: z.string().nullable(),
  target: z.object({ count: z.number(), per: z.enum(HABIT_PERIODS) }).nullable(),
  position: z.number(),
  archived: z.boolean(),
  createdAt: z.string(),
  updatedAt: z.string(),
});
export type HabitOutput = z.infer<typeof habitOutput>;

export const habitResultOutput = z.object({ habit: habitOutput });
export const habitListOutput = z.object({ items: z.array(habitOutput), count: z.number() });

export const habitLogOutput = z.object({
  log: z.object({ id: z.string(), habitId: z.string(), day: z.string(), count: z.number() }),
  created: z.boolean().describe('false when this habit already had a check-in that day (nothing changed)'),
  message: z.string(),
});

export const recentLogsOutput = z.object({
  from: z.string(),
  to: z.string(),
  items: z.array(z.object({ habitId: z.string(), title: z.string(), day: z.string(), count: z.number() })),
  totals: z.array(
    z.object({ habitId: z.string(), title: z.string(), daysLogged: z.number(), checkIns: z.number() }),
  ),
});

export const deletedOutput = z.object({ deleted: z.literal(true), id: z.string() });

export type CreateHabitInput = z.infer<typeof createHabitInput>;
export type ListHabitsInput = z.infer<typeof listHabitsInput>;
export type UpdateHabitInput = z.infer<typeof updateHabitInput>;
export type ArchiveHabitInput = z.infer<typeof archiveHabitInput>;
export type LogHabitInput = z.infer<typeof logHabitInput>;
export type RecentLogsInput = z.infer<typeof recentLogsInput>;
