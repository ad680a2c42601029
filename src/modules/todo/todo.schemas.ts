import { z } from 'zod';
import { decryptionFailed, isoDate, text, unreadableFields, uuid } from '../common/tool-schemas.js';
import { TASK_PRIORITIES, TASK_STATUSES } from './task.entity.js';

const subtask = z.object({ title: text(200), done: z.boolean().default(false) }).strict();

export const createTaskInput = z
  .object({
    title: text(200),
    description: text(5000).optional(),
    priority: z.enum(TASK_PRIORITIES).default('medium'),
    dueDate: isoDate().optional().describe('YYYY-MM-DD'),
    subtasks: z.array(text(200)).max(20, 'at most 20 subtasks').optional(),
  })
  .strict();

export const listTasksInput = z
  .object({
    status: z.enum(['open', 'all']).default('open'),
    limit: z.int().min(1).max(100).default(20),
    order: z.enum(['newest', 'due']).default('newest').describe('due: earliest due date first, undated last'),
  })
  .strict();

export const completeTaskInput = z.object({ id: uuid('task') }).strict();

export const updateTaskInput = z
  .object({
    id: uuid('task'),
    title: text(200).optional(),
    description: text(5000).nullable().optional().describe('null removes it'),
    priority: z.enum(TASK_PRIORITIES).optional(),
    dueDate: isoDate().nullable().optional().describe('YYYY-MM-DD; null removes it'),
    subtasks: z
      .array(subtask)
      .max(20, 'at most 20 subtasks')
      .nullable()
      .optional()
      .describe('replaces the list'),
    status: z.enum(TASK_STATUSES).optional().describe('open reopens a done task'),
  })
  .strict()
  .refine(
    (v) => Object.keys(v).some((k) => k !== 'id' && v[k as keyof typeof v] !== undefined),
    'give at least one field to change',
  );

export const deleteTaskInput = z.object({ id: uuid('task') }).strict();

export const taskOutput = z.object({
  id: z.string(),
  title: z.string().nullable(),
  description: z.string().nullable(),
  priority: z.enum(TASK_PRIORITIES),
  dueDate: z.string().nullable(),
  status: z.enum(TASK_STATUSES),
  completedAt: z.string().nullable(),
  subtasks: z.array(z.object({ title: z.string(), done: z.boolean() })),
  position: z.number(),
  createdAt: z.string(),
  updatedAt: z.string(),
  decryptionFailed: decryptionFailed(),
  unreadableFields: unreadableFields(),
});
export type TaskOutput = z.infer<typeof taskOutput>;

export const taskResultOutput = z.object({ task: taskOutput });
export const taskListOutput = z.object({ items: z.array(taskOutput), count: z.number() });
export const taskDeletedOutput = z.object({ deleted: z.literal(true), id: z.string() });

export type CreateTaskInput = z.infer<typeof createTaskInput>;
export type ListTasksInput = z.infer<typeof listTasksInput>;
export type UpdateTaskInput = z.infer<typeof updateTaskInput>;
