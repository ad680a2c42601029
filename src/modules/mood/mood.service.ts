import { Inject, Injectable } from '@nestjs/common';
import { MoreThanOrEqual } from 'typeorm';
import type { Decrypted } from '../../crypto/entity-cipher.service.js';
import { SpaceDataRepository } from '../common/space-data.repository.js';
import type { SpaceScope } from '../common/space-data.repository.js';
import { MoodEntryEntity } from './mood-entry.entity.js';
import type { LogMoodInput, MoodEntryOutput, RecentMoodInput } from './mood.schemas.js';

@Injectable()
export class MoodService {
  constructor(@Inject(SpaceDataRepository) private readonly data: SpaceDataRepository) {}

  async log(scope: SpaceScope, input: LogMoodInput): Promise<MoodEntryOutput> {
    const entry = await this.data.insert(MoodEntryEntity, scope, {
      level: input.level,
      emotion: input.emotion,
      activity: input.activity ?? null,
      notes: input.notes ?? null,
      loggedAt: new Date(),
    });
    return map(entry);
  }

  async recent(scope: SpaceScope, input: RecentMoodInput) {
    const since = new Date(Date.now() - input.days * 86_400_000);
    const entries = await this.data.find(MoodEntryEntity, scope, {
      where: { loggedAt: MoreThanOrEqual(since) },
      order: { loggedAt: 'DESC', id: 'ASC' },
      take: input.limit,
    });
    const items = entries.map(map);
    const averageLevel =
      items.length > 0 ? Math.round((items.reduce((s, e) => s + e.level, 0) / items.length) * 10) / 10 : null;
    return { items, count: items.length, averageLevel };
  }
}

function map(e: Decrypted<MoodEntryEntity>): MoodEntryOutput {
  return {
    id: e.id,
    level: e.level,
    emotion: e.emotion,
    activity: e.activity,
    notes: e.notes,
    loggedAt: e.loggedAt.toISOString(),
    decryptionFailed: e.unreadableFields.length > 0,
    unreadableFields: e.unreadableFields,
  };
}
