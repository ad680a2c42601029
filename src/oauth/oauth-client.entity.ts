import { Column, CreateDateColumn, Entity, PrimaryColumn } from 'typeorm';
import type { OAuthClientMetadata } from '@modelcontextprotocol/sdk/shared/auth.js';

/** A dynamically registered OAuth client (RFC 7591). The id is the `client_id`. */
@Entity({ name: 'oauth_clients' })
export class OAuthClientEntity {
  @PrimaryColumn({ type: 'uuid' })
  id!: string;

  /** SHA-256 of a confidential client's secret; NULL for a public client (PKCE only). */
  @Column({ name: 'secret_hash', type: 'text', nullable: true })
  secretHash!: string | null;

  @Column({ name: 'secret_expires_at', type: 'timestamptz', nullable: true })
  secretExpiresAt!: Date | null;

  /** The client metadata as answered at registration (redirect_uris, client_name, …), no secret. */
  @Column({ type: 'jsonb' })
  metadata!: OAuthClientMetadata;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;
}
