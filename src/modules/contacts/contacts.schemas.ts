import { z } from 'zod';
import { decryptionFailed, text, unreadableFields } from '../common/tool-schemas.js';

/** contacts.search decrypts at most this many of the space's newest contacts and filters in memory. */
export const CONTACTS_SEARCH_WINDOW = 5000;

export const createContactInput = z
  .object({
    name: text(200),
    email: z.email('must be an email address').max(254, 'must be at most 254 characters').optional(),
    phone: z
      .string()
      .max(32, 'must be at most 32 characters')
      .regex(
        /^\+?[0-9][0-9 ().-]{2,31}$/,
        'must be a phone number: digits, spaces, ( ) . - and an optional leading +',
      )
      .optional(),
    notes: text(2000).optional(),
  })
  .strict();

export const searchContactsInput = z
  .object({
    query: text(200).describe('matched case-insensitively as literal text in name, email, phone or notes'),
    limit: z.int().min(1).max(50).default(10),
  })
  .strict();

export const contactOutput = z.object({
  id: z.string(),
  name: z.string().nullable(),
  email: z.string().nullable(),
  phone: z.string().nullable(),
  notes: z.string().nullable(),
  createdAt: z.string(),
  decryptionFailed: decryptionFailed(),
  unreadableFields: unreadableFields(),
});
export type ContactOutput = z.infer<typeof contactOutput>;

export const contactResultOutput = z.object({ contact: contactOutput });
export const contactSearchOutput = z.object({
  items: z.array(contactOutput).describe('matching contacts, newest first'),
  count: z.number(),
  scanned: z.number().describe(`contacts searched (the newest ${CONTACTS_SEARCH_WINDOW} at most)`),
  windowFull: z
    .boolean()
    .describe(`true when older contacts beyond the newest ${CONTACTS_SEARCH_WINDOW} were not searched`),
  unreadable: z.number().describe('contacts that could not be decrypted'),
});

export type CreateContactInput = z.infer<typeof createContactInput>;
export type SearchContactsInput = z.infer<typeof searchContactsInput>;
