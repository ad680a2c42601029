import type { ArchetypeVoice } from '../../scripted-content.js';
import { idOf, rowOf } from '../answers.js';
import type { Row } from '../answers.js';
import type { PlayContext } from '../play-context.js';
import type { Playbook } from './playbook.js';

type Contact = ArchetypeVoice['contacts'][number];

/**
 * Contacts: someone from its life (sometimes two it has been meaning to add), with what it knows of
 * them: a note, an email, a phone number; then it looks one up again by first name in whatever case
 * it types, or by a word of its note.
 */
export const contactsPlaybook: Playbook = {
  module: 'contacts',
  async play(ctx) {
    const contact = ctx.rng.pick(ctx.voice.contacts);
    const input = contactOf(ctx, contact);
    if (!idOf(rowOf(await ctx.call('contacts.create', input), 'contact'))) return;
    const other = ctx.voice.contacts.find((c) => c !== contact);
    if (other && ctx.rng.chance(0.4)) await ctx.call('contacts.create', contactOf(ctx, other));
    const first = firstNameOf(contact);
    const noteWord = typeof input.notes === 'string' ? input.notes.match(/[A-Za-z]{5,}/)?.[0] : undefined;
    const query =
      noteWord && ctx.rng.chance(0.25)
        ? noteWord
        : ctx.rng.chance(0.5)
          ? first.toLowerCase()
          : first.toUpperCase();
    if (ctx.rng.chance(0.85)) await ctx.call('contacts.search', { query, limit: ctx.rng.pick([3, 10, 20]) });
    else await ctx.call('contacts.search', { query });
  },
};

function contactOf(ctx: PlayContext, contact: Contact): Row {
  const input: Row = { name: contact.name };
  if (ctx.rng.chance(0.9)) input.notes = contact.about;
  const handle = firstNameOf(contact)
    .toLowerCase()
    .replace(/[^a-z]/g, '');
  if (handle.length >= 2 && ctx.rng.chance(0.8)) input.email = `${handle}@example.com`;
  if (ctx.rng.chance(0.7)) input.phone = `+1 555 01${ctx.rng.int(10, 99)}`;
  return input;
}

/** The first real name of a contact ("Dr. Amal Haddad" → Amal). */
function firstNameOf(contact: Contact): string {
  return contact.name.split(' ').find((part) => /^[A-Za-z]{2,}$/.test(part)) ?? contact.name;
}
