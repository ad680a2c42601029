import { z } from 'zod';
import { createEventInput, listEventsInput } from '../../../../modules/calendar/calendar.schemas.js';
import { createContactInput, searchContactsInput } from '../../../../modules/contacts/contacts.schemas.js';
import {
  archiveHabitInput,
  createHabitInput,
  deleteHabitInput,
  listHabitsInput,
  logHabitInput,
  recentLogsInput,
  updateHabitInput,
} from '../../../../modules/habits/habits.schemas.js';
import { addJournalInput, listJournalInput } from '../../../../modules/journal/journal.schemas.js';
import { logMoodInput, recentMoodInput } from '../../../../modules/mood/mood.schemas.js';
import {
  archiveNoteInput,
  createNoteInput,
  deleteNoteInput,
  searchNotesInput,
  updateNoteInput,
} from '../../../../modules/notes/notes.schemas.js';
import {
  completeTaskInput,
  createTaskInput,
  deleteTaskInput,
  listTasksInput,
  updateTaskInput,
} from '../../../../modules/todo/todo.schemas.js';
import type { BrainTool } from '../../brain.js';
import { toolModule } from '../../brain.js';

/**
 * The app's 26 user-space tools for specs of the scripted brain: their real zod input schemas (the
 * fake app validates with them) and the JSON Schema a tools/list would publish. Destructive tools are
 * listed only for a user who opted in, as the server does.
 */
export const APP_TOOL_INPUTS: Readonly<Record<string, z.ZodType>> = {
  'habits.create': createHabitInput,
  'habits.list': listHabitsInput,
  'habits.update': updateHabitInput,
  'habits.archive': archiveHabitInput,
  'habits.log': logHabitInput,
  'habits.recent_logs': recentLogsInput,
  'habits.delete': deleteHabitInput,
  'todo.create': createTaskInput,
  'todo.list': listTasksInput,
  'todo.complete': completeTaskInput,
  'todo.update': updateTaskInput,
  'todo.delete': deleteTaskInput,
  'notes.create': createNoteInput,
  'notes.search': searchNotesInput,
  'notes.update': updateNoteInput,
  'notes.archive': archiveNoteInput,
  'notes.delete': deleteNoteInput,
  'journal.add': addJournalInput,
  'journal.list': listJournalInput,
  'mood.log': logMoodInput,
  'mood.recent': recentMoodInput,
  'calendar.create_event': createEventInput,
  'calendar.list_events': listEventsInput,
  'contacts.create': createContactInput,
  'contacts.search': searchContactsInput,
  'spaces.list': z.object({}).strict(),
};

export const DESTRUCTIVE_TOOLS: ReadonlySet<string> = new Set([
  'habits.delete',
  'todo.delete',
  'notes.delete',
]);

/** The tools as tools/list shows them to a user (with or without the destructive opt-in). */
export function appTools(destructiveTools: boolean): BrainTool[] {
  return Object.entries(APP_TOOL_INPUTS)
    .filter(([name]) => destructiveTools || !DESTRUCTIVE_TOOLS.has(name))
    .map(([name, schema]) => ({
      name,
      module: toolModule(name),
      description: '',
      inputSchema: z.toJSONSchema(schema, { io: 'input' }) as Record<string, unknown>,
      ...(DESTRUCTIVE_TOOLS.has(name) ? { annotations: { destructiveHint: true } } : {}),
    }));
}

/** The input fields a tool's published schema lets a caller leave out. */
export function optionalFields(tool: BrainTool): string[] {
  const properties = Object.keys((tool.inputSchema.properties as Record<string, unknown> | undefined) ?? {});
  const required = new Set((tool.inputSchema.required as string[] | undefined) ?? []);
  return properties.filter((p) => !required.has(p));
}
