import { Column, Entity } from 'typeorm';
import { EncryptedColumn } from '../../crypto/encrypted-column.decorator.js';
import { SpaceScopedEntity } from '../common/space-scoped.entity.js';

export const EMOTIONS = [
  'happy',
  'calm',
  'grateful',
  'excited',
  'proud',
  'content',
  'neutral',
  'tired',
  'bored',
  'stressed',
  'anxious',
  'overwhelmed',
  'frustrated',
  'angry',
  'sad',
  'lonely',
] as const;
export type Emotion = (typeof EMOTIONS)[number];

export const ACTIVITIES = [
  'work',
  'study',
  'exercise',
  'family',
  'friends',
  'rest',
  'chores',
  'hobby',
  'commute',
  'outdoors',
  'screen_time',
  'other',
] as const;
export type Activity = (typeof ACTIVITIES)[number];

/** A mood check-in: level 1–10, an emotion and an activity (enums), free-text notes encrypted. */
@Entity({ name: 'mood_entries' })
export class MoodEntryEntity extends SpaceScopedEntity {
  @Column({ type: 'smallint' })
  level!: number;

  @Column({ type: 'text' })
  emotion!: Emotion;

  @Column({ type: 'text', nullable: true })
  activity!: Activity | null;

  @EncryptedColumn({ nullable: true })
  notes!: string | null;

  @Column({ name: 'logged_at', type: 'timestamptz' })
  loggedAt!: Date;
}
