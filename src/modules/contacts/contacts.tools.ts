import { Inject, Injectable } from '@nestjs/common';
import { Tool } from '../../tool-contract/tool.decorator.js';
import type { ToolContext, ToolInput } from '../../tool-contract/tool.types.js';
import { ContactsService } from './contacts.service.js';
import {
  CONTACTS_SEARCH_WINDOW,
  contactResultOutput,
  contactSearchOutput,
  createContactInput,
  searchContactsInput,
} from './contacts.schemas.js';

/** The contacts tools. Name, email, phone and notes are stored encrypted with the space key. */
@Injectable()
export class ContactsTools {
  constructor(@Inject(ContactsService) private readonly contacts: ContactsService) {}

  @Tool({
    name: 'contacts.create',
    module: 'contacts',
    scope: 'user-space',
    policy: 'write',
    description: 'Add a contact: name, optionally email, phone and notes.',
    input: createContactInput,
    output: contactResultOutput,
    semantics: {
      effect: 'create',
      entity: 'contact',
      result: 'contact',
      // the name is trimmed, the email lower-cased; phone and notes are stored as sent
      echo: [
        { input: 'name', compare: 'text' },
        { input: 'email', compare: 'casefold' },
        { input: 'phone', compare: 'exact' },
        { input: 'notes', compare: 'exact' },
      ],
      idempotent: false,
    },
  })
  async create(input: ToolInput<typeof createContactInput>, ctx: ToolContext) {
    return { contact: await this.contacts.create(ctx, input) };
  }

  @Tool({
    name: 'contacts.search',
    module: 'contacts',
    scope: 'user-space',
    policy: 'read',
    description: `Find contacts whose name, email, phone or notes contain the query (case-insensitive, literal text), newest first. Searches the newest ${CONTACTS_SEARCH_WINDOW} contacts.`,
    input: searchContactsInput,
    output: contactSearchOutput,
    semantics: {
      effect: 'search',
      entity: 'contact',
      list: {
        items: 'items',
        limit: { input: 'limit', default: 10 },
        // newest first; the id tie-break of the SQL is not visible in millisecond createdAt values
        order: { fixed: [{ field: 'createdAt', direction: 'desc' }] },
        // complete over the newest CONTACTS_SEARCH_WINDOW contacts (windowFull says when older ones were skipped)
        complete: true,
        unreadableFlag: 'decryptionFailed',
      },
      // the query is trimmed before it is matched
      search: { query: 'query', fields: ['name', 'email', 'phone', 'notes'], match: 'substring-casefold' },
      derived: [{ field: 'count', rule: 'count', of: 'items' }],
      idempotent: true,
    },
  })
  search(input: ToolInput<typeof searchContactsInput>, ctx: ToolContext) {
    return this.contacts.search(ctx, input);
  }
}
