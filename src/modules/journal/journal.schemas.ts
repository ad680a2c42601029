import { z } from 'zod';
import { decryptionFailed, isoDate, text, unreadableFields } from '../common/tool-schemas.js';
import { JOURNAL_MOODS } from './journal-entry.entity.js';

const tag = z
  .string()
  .min(1, 'must not be empty')
  .max(32, 'must be at most 32 characters')
  .regex(/^[\p{L}\p{N}][\p{L}\p{N} _-]*$/u, 'must be letters, digits, spaces, - or _');

export const addJournalInput = z
  .object({
    title: text(200).optional(),
    content: text(20_000),
    entryDate: isoDate().optional().describe('YYYY-MM-DD, default today (UTC)'),
    mood: z.enum(JOURNAL_MOODS).optional(),
    tags: z.array(tag).max(10, 'at most 10 tags').default([]),
  })
  .strict();

export const listJournalInput = z
  .object({
    from: isoDate().optional().describe('first entry date included, YYYY-MM-DD'),
    to: isoDate().optional().describe('last entry date included, YYYY-MM-DD'),
    limit: z.int().min(1).max(50).default(10),
  })
  .strict()
  .refine((v) => !v.from || !v.to || v.from <= v.to, {
    message: 'from must not be after to',
    path: ['from'],
  });

export const journalEntryOutput = z.object({
  id: z.string(),
  title: z.string().nullable(),
  content: z.string().nullable(),
  entryDate: z.string(),
  mood: z.enum(JOURNAL_MOODS).nullable(),
  tags: z.array(z.string()),
  wordCount: z.number().describe('computed by the server from the content'),
  createdAt: z.string(),
  decryptionFailed: decryptionFailed(),
  unreadableFields: unreadableFields(),
});
export type JournalEntryOutput = z.infer<typeof journalEntryOutput>;

export const journalResultOutput = z.object({ entry: journalEntryOutput });
export const journalListOutput = z.object({
  items: z.array(journalEntryOutput).describe('newest entry date first'),
  count: z.number(),
});

export type AddJournalInput = z.infer<typeof addJournalInput>;
export type ListJournalInput = z.infer<typeof listJournalInput>;
