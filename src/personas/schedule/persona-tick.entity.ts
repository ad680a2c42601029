import { Column, Entity, PrimaryGeneratedColumn } from 'typeorm';
import type { TickStatus } from './persona-schedule.types.js';

/** Kept for the reports module's DTO (a read model); new code imports persona-schedule.types. */
export { TICK_STATUSES } from './persona-schedule.types.js';
export type { TickStatus } from './persona-schedule.types.js';

@Entity({ name: 'persona_ticks' })
export class PersonaTickEntity {
  @PrimaryGeneratedColumn('uuid')
  id!: string;

  @Column({ name: 'persona_id', type: 'uuid' })
  personaId!: string;

  @Column({ type: 'text', default: 'running' })
  status!: TickStatus;

  @Column({ type: 'text' })
  brain!: string;

  @Column({ type: 'text', nullable: true })
  model!: string | null;

  @Column({ name: 'lease_token', type: 'uuid', nullable: true })
  leaseToken!: string | null;

  @Column({ name: 'started_at', type: 'timestamptz', default: () => 'now()' })
  startedAt!: Date;

  @Column({ name: 'finished_at', type: 'timestamptz', nullable: true })
  finishedAt!: Date | null;

  @Column({ name: 'tool_calls', type: 'integer', default: 0 })
  toolCalls!: number;

  @Column({ name: 'tokens_in', type: 'integer', default: 0 })
  tokensIn!: number;

  @Column({ name: 'tokens_out', type: 'integer', default: 0 })
  tokensOut!: number;

  /** Of tokens_in, read from the prompt cache. */
  @Column({ name: 'cache_read_tokens', type: 'integer', default: 0 })
  cacheReadTokens!: number;

  /** Of tokens_in, written to the prompt cache. */
  @Column({ name: 'cache_write_tokens', type: 'integer', default: 0 })
  cacheWriteTokens!: number;

  /** numeric(12,6) comes back from pg as a string; convert when mapping to a response. */
  @Column({ name: 'cost_usd', type: 'numeric', precision: 12, scale: 6, default: 0 })
  costUsd!: string;

  @Column({ type: 'text', nullable: true })
  error!: string | null;

  /** Set when the rating turn's output could not be parsed (after one repair attempt). */
  @Column({ name: 'rating_error', type: 'text', nullable: true })
  ratingError!: string | null;

  /** The persona's own words for the day (JSON array of short lines); null before the tick ends. */
  @Column({ type: 'jsonb', nullable: true })
  words!: string[] | null;
}
