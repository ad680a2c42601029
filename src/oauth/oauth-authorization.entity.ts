import { Column, CreateDateColumn, Entity, PrimaryGeneratedColumn } from 'typeorm';

/**
 * One authorization request, from the authorize page to the code exchange: pending (no user), signed
 * in (user set), consented (code_hash set, expires_at moved to the code's short life), consumed.
 */
@Entity({ name: 'oauth_authorizations' })
export class OAuthAuthorizationEntity {
  @PrimaryGeneratedColumn('uuid')
  id!: string;

  @Column({ name: 'client_id', type: 'uuid' })
  clientId!: string;

  @Column({ name: 'redirect_uri', type: 'text' })
  redirectUri!: string;

  /** PKCE S256 challenge. */
  @Column({ name: 'code_challenge', type: 'text' })
  codeChallenge!: string;

  @Column({ type: 'text', nullable: true })
  state!: string | null;

  /** Space-separated. */
  @Column({ type: 'text', default: '' })
  scopes!: string;

  /** The resource (RFC 8707) the tokens will be for: their `aud`. */
  @Column({ type: 'text' })
  resource!: string;

  /** SHA-256 of the cookie that ties the sign-in and consent forms to the browser that started. */
  @Column({ name: 'browser_hash', type: 'text' })
  browserHash!: string;

  @Column({ name: 'csrf_hash', type: 'text' })
  csrfHash!: string;

  @Column({ name: 'user_id', type: 'uuid', nullable: true })
  userId!: string | null;

  @Column({ name: 'code_hash', type: 'text', nullable: true })
  codeHash!: string | null;

  @Column({ name: 'expires_at', type: 'timestamptz' })
  expiresAt!: Date;

  @Column({ name: 'consumed_at', type: 'timestamptz', nullable: true })
  consumedAt!: Date | null;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;
}
