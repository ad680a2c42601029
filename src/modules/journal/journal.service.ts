import { Inject, Injectable } from '@nestjs/common';
import { Between, LessThanOrEqual, MoreThanOrEqual } from 'typeorm';
import type { FindOptionsWhere } from 'typeorm';
import type { Decrypted } from '../../crypto/entity-cipher.service.js';
import { ToolError } from '../../tool-contract/tool.error.js';
import { SpaceDataRepository } from '../common/space-data.repository.js';
import type { SpaceScope } from '../common/space-data.repository.js';
import { daysBetween, todayUtc } from '../../common/dates.js';
import { JournalEntryEntity } from './journal-entry.entity.js';
import type { AddJournalInput, JournalEntryOutput, ListJournalInput } from './journal.schemas.js';

/** Words are runs of letters, digits, apostrophes or hyphens (punctuation and emoji do not count). */
export function countWords(text: string): number {
  return text.match(/[\p{L}\p{N}][\p{L}\p{N}'’-]*/gu)?.length ?? 0;
}

@Injectable()
export class JournalService {
  constructor(@Inject(SpaceDataRepository) private readonly data: SpaceDataRepository) {}

  async add(scope: SpaceScope, input: AddJournalInput): Promise<JournalEntryOutput> {
    const entryDate = input.entryDate ?? todayUtc();
    if (daysBetween(todayUtc(), entryDate) > 1) {
      throw new ToolError(`entryDate ${entryDate} is in the future`, 'INVALID_DATE');
    }
    const tags = [...new Set(input.tags.map((t) => t.trim().toLowerCase()))];
    const entry = await this.data.insert(JournalEntryEntity, scope, {
      title: input.title?.trim() ?? null,
      content: input.content,
      entryDate,
      mood: input.mood ?? null,
      tags,
      wordCount: countWords(input.content),
    });
    return map(entry);
  }

  async list(scope: SpaceScope, input: ListJournalInput): Promise<JournalEntryOutput[]> {
    const where: FindOptionsWhere<JournalEntryEntity> = {};
    if (input.from && input.to) where.entryDate = Between(input.from, input.to);
    else if (input.from) where.entryDate = MoreThanOrEqual(input.from);
    else if (input.to) where.entryDate = LessThanOrEqual(input.to);
    const entries = await this.data.find(JournalEntryEntity, scope, {
      where,
      order: { entryDate: 'DESC', createdAt: 'DESC', id: 'ASC' },
      take: input.limit,
    });
    return entries.map(map);
  }
}

function map(e: Decrypted<JournalEntryEntity>): JournalEntryOutput {
  return {
    id: e.id,
    title: e.title,
    content: e.content,
    entryDate: e.entryDate,
    mood: e.mood,
    tags: e.tags,
    wordCount: e.wordCount,
    createdAt: e.createdAt.toISOString(),
    decryptionFailed: e.unreadableFields.length > 0,
    unreadableFields: e.unreadableFields,
  };
}
