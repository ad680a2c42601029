import { Column, CreateDateColumn, Entity, PrimaryColumn, UpdateDateColumn } from 'typeorm';
import type { SemanticsDocument } from '../../tool-contract/semantics-document.js';
import type { TargetKind } from './target.types.js';

/**
 * An external MCP server personas may play (migrations/1763700013000-targets.ts). Written only by
 * the personas module (TargetsService); `secrets` is never answered, only the names beside it.
 */
@Entity({ name: 'targets' })
export class TargetEntity {
  /** Made by the service before the insert: the secrets' ciphertext is bound to it. */
  @PrimaryColumn({ type: 'uuid' })
  id!: string;

  /** Unique ignoring case (ux_targets_name). */
  @Column({ type: 'text' })
  name!: string;

  @Column({ type: 'text' })
  kind!: TargetKind;

  /** Streamable HTTP address (http only). */
  @Column({ type: 'text', nullable: true })
  url!: string | null;

  /** The executable (stdio only), started without a shell. */
  @Column({ type: 'text', nullable: true })
  command!: string | null;

  @Column({ type: 'jsonb', default: () => `'[]'::jsonb` })
  args!: string[];

  @Column({ name: 'header_names', type: 'jsonb', default: () => `'[]'::jsonb` })
  headerNames!: string[];

  @Column({ name: 'env_names', type: 'jsonb', default: () => `'[]'::jsonb` })
  envNames!: string[];

  /** enc:1 ciphertext of `{ headers, env }`, bound to (targets, secrets, id). */
  @Column({ type: 'text' })
  secrets!: string;

  /** A semantics document as the admin gave it (catalog/semantics.schema.json). */
  @Column({ type: 'jsonb', nullable: true })
  semantics!: SemanticsDocument | null;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;

  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' })
  updatedAt!: Date;
}
