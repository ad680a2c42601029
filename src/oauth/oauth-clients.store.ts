import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { createHash, timingSafeEqual } from 'node:crypto';
import { DataSource } from 'typeorm';
import type { OAuthRegisteredClientsStore } from '@modelcontextprotocol/sdk/server/auth/clients.js';
import { InvalidClientMetadataError } from '@modelcontextprotocol/sdk/server/auth/errors.js';
import type { OAuthClientInformationFull } from '@modelcontextprotocol/sdk/shared/auth.js';
import { OAuthClientEntity } from './oauth-client.entity.js';
import { isUuid } from '../common/uuid.js';

const LOOPBACK_HOSTS = new Set(['localhost', '127.0.0.1', '[::1]']);
const FORBIDDEN_SCHEMES = new Set(['javascript:', 'data:', 'file:', 'vbscript:', 'blob:']);

const sha256 = (value: string) => createHash('sha256').update(value).digest('hex');

/**
 * Registered OAuth clients (RFC 7591) for the SDK's register, authorize, token and revoke handlers.
 *
 * Secrets are stored hashed, but the SDK's client authentication compares the presented
 * `client_secret` with the stored one as plain strings. So the stored hash is what `getClient`
 * answers as the secret, and `presentedSecret` (run on /token and /revoke before the SDK's
 * handlers) turns a presented secret into that hash only when it hashes to it; anything else
 * becomes a value that never matches, so knowing the hash alone opens nothing.
 */
@Injectable()
export class OAuthClientsStore implements OAuthRegisteredClientsStore {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  async getClient(clientId: string): Promise<OAuthClientInformationFull | undefined> {
    if (!isUuid(clientId)) return undefined;
    const row = await this.repo().findOne({ where: { id: clientId } });
    if (!row) return undefined;
    return {
      ...row.metadata,
      client_id: row.id,
      client_id_issued_at: Math.floor(row.createdAt.getTime() / 1000),
      client_secret: row.secretHash ?? undefined,
      client_secret_expires_at: row.secretExpiresAt
        ? Math.floor(row.secretExpiresAt.getTime() / 1000)
        : undefined,
    };
  }

  async registerClient(
    client: Omit<OAuthClientInformationFull, 'client_id' | 'client_id_issued_at'> & { client_id?: string },
  ): Promise<OAuthClientInformationFull> {
    for (const uri of client.redirect_uris) assertAcceptableRedirectUri(uri);
    const { client_id, client_secret, client_secret_expires_at, ...metadata } = client;
    if (!client_id || !isUuid(client_id)) throw new Error('the SDK did not generate a client id');
    delete (metadata as { client_id_issued_at?: number }).client_id_issued_at;
    const row = await this.repo().save(
      this.repo().create({
        id: client_id,
        secretHash: client_secret ? sha256(client_secret) : null,
        secretExpiresAt: client_secret_expires_at ? new Date(client_secret_expires_at * 1000) : null,
        metadata,
      }),
    );
    return {
      ...metadata,
      client_id,
      client_id_issued_at: Math.floor(row.createdAt.getTime() / 1000),
      client_secret,
      client_secret_expires_at,
    };
  }

  /** See the class comment: the stored hash when `secret` is the client's secret, else a non-match. */
  async presentedSecret(clientId: string, secret: string): Promise<string> {
    const row = isUuid(clientId) ? await this.repo().findOne({ where: { id: clientId } }) : null;
    const presented = Buffer.from(sha256(secret));
    if (row?.secretHash && timingSafeEqual(presented, Buffer.from(row.secretHash))) return row.secretHash;
    return '\u0000not-the-secret';
  }

  private repo() {
    return this.dataSource.getRepository(OAuthClientEntity);
  }
}

/**
 * OAuth 2.1 / RFC 8252 redirect URIs: https, http on a loopback host (any port at authorize
 * time), or an app's private-use scheme; never a fragment or a scheme that runs code.
 */
function assertAcceptableRedirectUri(uri: string): void {
  let url: URL;
  try {
    url = new URL(uri);
  } catch {
    throw new InvalidClientMetadataError(`redirect_uri ${uri} is not a URL`);
  }
  if (url.hash) throw new InvalidClientMetadataError(`redirect_uri ${uri} must not have a fragment`);
  if (FORBIDDEN_SCHEMES.has(url.protocol)) {
    throw new InvalidClientMetadataError(`redirect_uri ${uri} uses a scheme that is not allowed`);
  }
  if (url.protocol === 'http:' && !LOOPBACK_HOSTS.has(url.hostname)) {
    throw new InvalidClientMetadataError(
      `redirect_uri ${uri} must use https (plain http only on localhost, 127.0.0.1 or [::1])`,
    );
  }
}
