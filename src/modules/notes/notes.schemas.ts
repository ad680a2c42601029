import { z } from 'zod';
import { decryptionFailed, text, unreadableFields, uuid } from '../common/tool-schemas.js';

/** notes.search decrypts at most this many of the space's newest notes and filters them in memory. */
export const NOTES_SEARCH_WINDOW = 2000;

export const createNoteInput = z
  .object({ title: text(200), content: text(20_000, { min: 0 }).default('') })
  .strict();

export const searchNotesInput = z
  .object({
    query: text(200).describe('matched case-insensitively as a literal substring of title or content'),
    limit: z.int().min(1).max(50).default(10),
    includeArchived: z.boolean().default(false),
  })
  .strict();

export const updateNoteInput = z
  .object({ id: uuid('note'), title: text(200).optional(), content: text(20_000, { min: 0 }).optional() })
  .strict()
  .refine((v) => v.title !== undefined || v.content !== undefined, 'give title or content to change');

export const archiveNoteInput = z
  .object({ id: uuid('note'), archived: z.boolean().default(true).describe('false restores the note') })
  .strict();

export const deleteNoteInput = z.object({ id: uuid('note') }).strict();

export const noteOutput = z.object({
  id: z.string(),
  title: z.string().nullable(),
  content: z.string().nullable(),
  archived: z.boolean(),
  createdAt: z.string(),
  updatedAt: z.string(),
  decryptionFailed: decryptionFailed(),
  unreadableFields: unreadableFields(),
});
export type NoteOutput = z.infer<typeof noteOutput>;

export const noteResultOutput = z.object({ note: noteOutput });

export const noteSearchOutput = z.object({
  items: z.array(noteOutput).describe('matching notes, newest first'),
  count: z.number(),
  scanned: z.number().describe(`notes searched (the newest ${NOTES_SEARCH_WINDOW} at most)`),
  windowFull: z
    .boolean()
    .describe(`true when older notes beyond the newest ${NOTES_SEARCH_WINDOW} were not searched`),
  unreadable: z.number().describe('notes that could not be decrypted and so could not be searched'),
});

export const noteDeletedOutput = z.object({ deleted: z.literal(true), id: z.string() });

export type CreateNoteInput = z.infer<typeof createNoteInput>;
export type SearchNotesInput = z.infer<typeof searchNotesInput>;
export type UpdateNoteInput = z.infer<typeof updateNoteInput>;
export type ArchiveNoteInput = z.infer<typeof archiveNoteInput>;
