import { Column, CreateDateColumn, Entity, PrimaryColumn } from 'typeorm';

/** One module's 1–5 rating at the end of a tick. id = `{tickId}-{module}`. */
@Entity({ name: 'persona_feedback' })
export class PersonaFeedbackEntity {
  @PrimaryColumn({ type: 'text' })
  id!: string;

  @Column({ name: 'persona_id', type: 'uuid' })
  personaId!: string;

  @Column({ name: 'tick_id', type: 'uuid' })
  tickId!: string;

  @Column({ type: 'text' })
  module!: string;

  @Column({ type: 'smallint' })
  rating!: number;

  @Column({ type: 'text', nullable: true })
  notes!: string | null;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;
}
