import { Inject, Injectable } from '@nestjs/common';
import type { Decrypted } from '../../crypto/entity-cipher.service.js';
import { SpaceDataRepository } from '../common/space-data.repository.js';
import type { SpaceScope } from '../common/space-data.repository.js';
import { containsFolded } from '../common/tool-schemas.js';
import { ContactEntity } from './contact.entity.js';
import { CONTACTS_SEARCH_WINDOW } from './contacts.schemas.js';
import type { ContactOutput, CreateContactInput, SearchContactsInput } from './contacts.schemas.js';

@Injectable()
export class ContactsService {
  constructor(@Inject(SpaceDataRepository) private readonly data: SpaceDataRepository) {}

  async create(scope: SpaceScope, input: CreateContactInput): Promise<ContactOutput> {
    const contact = await this.data.insert(ContactEntity, scope, {
      name: input.name.trim(),
      email: input.email?.toLowerCase() ?? null,
      phone: input.phone ?? null,
      notes: input.notes ?? null,
    });
    return map(contact);
  }

  /** Contact details are encrypted: the newest CONTACTS_SEARCH_WINDOW are decrypted and matched in memory. */
  async search(scope: SpaceScope, input: SearchContactsInput) {
    const contacts = await this.data.find(ContactEntity, scope, {
      order: { createdAt: 'DESC', id: 'ASC' },
      take: CONTACTS_SEARCH_WINDOW,
    });
    const query = input.query.trim();
    const matches = contacts.filter((c) =>
      [c.name, c.email, c.phone, c.notes].some((f) => containsFolded(f, query)),
    );
    const items = matches.slice(0, input.limit).map(map);
    return {
      items,
      count: items.length,
      scanned: contacts.length,
      windowFull: contacts.length === CONTACTS_SEARCH_WINDOW,
      unreadable: contacts.filter((c) => c.unreadableFields.length > 0).length,
    };
  }
}

function map(c: Decrypted<ContactEntity>): ContactOutput {
  return {
    id: c.id,
    name: c.name,
    email: c.email,
    phone: c.phone,
    notes: c.notes,
    createdAt: c.createdAt.toISOString(),
    decryptionFailed: c.unreadableFields.length > 0,
    unreadableFields: c.unreadableFields,
  };
}
