import { Column, CreateDateColumn, Entity, PrimaryColumn } from 'typeorm';
import type { ActionOrigin, ActionResult, ErrorKind } from '../schedule/persona-schedule.types.js';

/** Append-only audit of one tool call. id = `{tickId}-{seq}-{toolName}` (deterministic, idempotent). */
@Entity({ name: 'persona_actions' })
export class PersonaActionEntity {
  @PrimaryColumn({ type: 'text' })
  id!: string;

  @Column({ name: 'persona_id', type: 'uuid' })
  personaId!: string;

  @Column({ name: 'tick_id', type: 'uuid' })
  tickId!: string;

  @Column({ type: 'integer' })
  seq!: number;

  @Column({ name: 'tool_name', type: 'text' })
  toolName!: string;

  @Column({ type: 'text' })
  module!: string;

  @Column({ name: 'input_hash', type: 'text', nullable: true })
  inputHash!: string | null;

  @Column({ type: 'text' })
  result!: ActionResult;

  @Column({ name: 'error_kind', type: 'text', nullable: true })
  errorKind!: ErrorKind | null;

  @Column({ name: 'error_message', type: 'text', nullable: true })
  errorMessage!: string | null;

  @Column({ name: 'latency_ms', type: 'integer', nullable: true })
  latencyMs!: number | null;

  /** `brain`: the persona's own call; `oracle`: a probe of the oracle engine. */
  @Column({ type: 'text', default: 'brain' })
  origin!: ActionOrigin;

  /** The call's input as JSON text, secrets out, cut and encrypted (trajectory-content.ts); null once pruned. */
  @Column({ type: 'text', nullable: true })
  input!: string | null;

  /** The app's answer, kept like `input`. */
  @Column({ type: 'text', nullable: true })
  output!: string | null;

  @Column({ name: 'input_truncated', type: 'boolean', default: false })
  inputTruncated!: boolean;

  @Column({ name: 'output_truncated', type: 'boolean', default: false })
  outputTruncated!: boolean;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;
}
