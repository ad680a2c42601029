import { Inject, Injectable } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import type { Decrypted } from '../../crypto/entity-cipher.service.js';
import { FaultsService } from '../../faults/faults.service.js';
import { SpaceDataRepository } from '../common/space-data.repository.js';
import type { SpaceScope } from '../common/space-data.repository.js';
import { containsFolded } from '../common/tool-schemas.js';
import { ContactEntity } from './contact.entity.js';
import { CONTACTS_SEARCH_WINDOW } from './contacts.schemas.js';
import type { ContactOutput, CreateContactInput, SearchContactsInput } from './contacts.schemas.js';

@Injectable()
export class ContactsService {
  constructor(
    @Inject(SpaceDataRepository) private readonly data: SpaceDataRepository,
    @Inject(FaultsService) private readonly faults: FaultsService,
  ) {}

  async create(scope: SpaceScope, input: CreateContactInput): Promise<ContactOutput> {
    if (this.faults.applies('contacts.create.not-persisted')) {
      // the key is still fetched, so a zero-knowledge user gets the same error as without the defect
      await scope.spaceKey();
      return {
        id: randomUUID(),
        name: input.name.trim(),
        email: input.email?.toLowerCase() ?? null,
        phone: input.phone ?? null,
        notes: input.notes ?? null,
        createdAt: new Date().toISOString(),
        decryptionFailed: false,
        unreadableFields: [],
      };
    }
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
    this.faults.maybeFail('contacts.search.error');
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
