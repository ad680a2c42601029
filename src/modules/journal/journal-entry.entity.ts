import { Column, Entity, UpdateDateColumn } from 'typeorm';
import { EncryptedColumn } from '../../crypto/encrypted-column.decorator.js';
import { SpaceScopedEntity } from '../common/space-scoped.entity.js';

export const JOURNAL_MOODS = ['great', 'good', 'okay', 'low', 'bad'] as const;
export type JournalMood = (typeof JOURNAL_MOODS)[number];

/** A journal entry; title and content are encrypted, tags are plaintext labels for filtering. */
@Entity({ name: 'journal_entries' })
export class JournalEntryEntity extends SpaceScopedEntity {
  @EncryptedColumn({ nullable: true })
  title!: string | null;

  @EncryptedColumn()
  content!: string;

  @Column({ name: 'entry_date', type: 'date' })
  entryDate!: string;

  @Column({ type: 'text', nullable: true })
  mood!: JournalMood | null;

  @Column({ type: 'jsonb' })
  tags!: string[];

  @Column({ name: 'word_count', type: 'integer' })
  wordCount!: number;

  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' })
  updatedAt!: Date;
}
