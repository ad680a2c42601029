import { z } from 'zod';

const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/**
 * Shared zod pieces of the app tools' input schemas: every string bounded, free of NUL and of
 * unpaired surrogates (Postgres cannot store the first, JSON cannot round-trip the second).
 */
export function text(max: number, options: { min?: number } = {}) {
  const min = options.min ?? 1;
  let schema = z.string().max(max, `must be at most ${max} characters`);
  if (min > 0)
    schema = schema.min(min, min === 1 ? 'must not be empty' : `must be at least ${min} characters`);
  return schema
    .refine((s) => !s.includes('\u0000'), 'must not contain the NUL character (\\u0000)')
    .refine((s) => !LONE_SURROGATE.test(s), 'must not contain unpaired UTF-16 surrogates')
    .refine((s) => min === 0 || s.trim().length > 0, 'must not be blank');
}

export const uuid = (what: string) => z.uuid(`must be the uuid of a ${what}`);

/** A real calendar date, `YYYY-MM-DD` (2023-02-29 is refused). */
export const isoDate = () => z.iso.date('must be a real date in the form YYYY-MM-DD');

/** An ISO 8601 date-time with an offset or `Z`, e.g. `2025-03-01T09:30:00+01:00`. */
export const isoDateTime = () =>
  z.iso.datetime({
    offset: true,
    message: 'must be an ISO 8601 date-time with offset, e.g. 2025-03-01T09:30:00Z',
  });

export const hexColor = () => z.string().regex(/^#[0-9a-fA-F]{6}$/, 'must be a hex colour like #22aa88');

/** Output schema piece documenting how an undecryptable row is returned. */
export const decryptionFailed = () =>
  z
    .boolean()
    .describe(
      'true when a stored encrypted field of this row failed to decrypt (tampered or foreign data); ' +
        'those fields are null and named in unreadableFields, the other rows are unaffected',
    );

export const unreadableFields = () =>
  z.array(z.string()).describe('encrypted fields of this row that could not be decrypted');

/** A case-insensitive literal substring match (no wildcards: `%` and `_` are ordinary characters). */
export function containsFolded(haystack: string | null | undefined, needle: string): boolean {
  return !!haystack && haystack.toLocaleLowerCase('en-US').includes(needle.toLocaleLowerCase('en-US'));
}
