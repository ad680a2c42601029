import { Column, CreateDateColumn, Entity, PrimaryColumn } from 'typeorm';

/**
 * A user's master key (the data key of their personal space), wrapped by MASTER_KEK.
 * In zero-knowledge mode `wrappedKey` is null: the server no longer holds it.
 */
@Entity({ name: 'user_keys' })
export class UserKeyEntity {
  @PrimaryColumn({ name: 'user_id', type: 'uuid' })
  userId!: string;

  @Column({ name: 'wrapped_key', type: 'text', nullable: true })
  wrappedKey!: string | null;

  @Column({ name: 'zero_knowledge', type: 'boolean', default: false })
  zeroKnowledge!: boolean;

  @Column({ name: 'zero_knowledge_at', type: 'timestamptz', nullable: true })
  zeroKnowledgeAt!: Date | null;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;
}
