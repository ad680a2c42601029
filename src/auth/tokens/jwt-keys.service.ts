import { Inject, Injectable } from '@nestjs/common';
import { createPrivateKey, createPublicKey, randomUUID } from 'node:crypto';
import type { KeyObject } from 'node:crypto';
import { SignJWT, exportJWK, calculateJwkThumbprint } from 'jose';
import type { JWK } from 'jose';
import { AppConfig } from '../../config/app-config.js';
import { SESSION_CLAIM, TOKEN_VERSION_CLAIM } from './token-revocation.js';
import type { AuthUser } from '../auth.types.js';

export const JWT_ALG = 'ES256';

/** Holds the ES256 signing key, signs access tokens and publishes the public half as a JWKS. */
@Injectable()
export class JwtKeysService {
  private readonly privateKey: KeyObject;
  readonly publicKey: KeyObject;
  readonly publicKeyPem: string;
  private jwks?: { keys: JWK[] };
  private kid?: string;

  constructor(@Inject(AppConfig) private readonly config: AppConfig) {
    this.privateKey = createPrivateKey(config.jwtPrivateKeyPem);
    this.publicKey = createPublicKey(this.privateKey);
    this.publicKeyPem = this.publicKey.export({ type: 'spki', format: 'pem' }).toString();
  }

  private async keyId(): Promise<string> {
    this.kid ??= await calculateJwkThumbprint(await exportJWK(this.publicKey));
    return this.kid;
  }

  /**
   * `audience` defaults to JWT_AUDIENCE (this server's API); OAuth clients' tokens name the resource
   * they were issued for (RFC 8707), with the client in `client_id` and the granted `scope`.
   * `session` puts the refresh-token family (`sid`) and the account's token version (`ver`) in the
   * token, so it can be revoked before it expires (token-revocation.ts); every token the server
   * issues to a client has one.
   */
  async signAccessToken(
    user: AuthUser,
    options: {
      audience?: string;
      claims?: { client_id?: string; scope?: string };
      session?: { familyId: string; tokenVersion: number };
    } = {},
  ): Promise<{ token: string; expiresIn: number }> {
    const expiresIn = this.config.jwtTtlSeconds;
    const claims = { email: user.email, kind: user.kind, tier: user.tier, role: user.role };
    const session = options.session
      ? { [SESSION_CLAIM]: options.session.familyId, [TOKEN_VERSION_CLAIM]: options.session.tokenVersion }
      : {};
    const token = await new SignJWT({ ...options.claims, ...claims, ...session })
      .setProtectedHeader({ alg: JWT_ALG, typ: 'JWT', kid: await this.keyId() })
      .setSubject(user.id)
      .setIssuer(this.config.jwtIssuer)
      .setAudience(options.audience ?? this.config.jwtAudience)
      .setIssuedAt()
      .setExpirationTime(`${expiresIn}s`)
      .setJti(randomUUID())
      .sign(this.privateKey);
    return { token, expiresIn };
  }

  async getJwks(): Promise<{ keys: JWK[] }> {
    if (!this.jwks) {
      const jwk = await exportJWK(this.publicKey);
      this.jwks = { keys: [{ ...jwk, kid: await this.keyId(), alg: JWT_ALG, use: 'sig' }] };
    }
    return this.jwks;
  }
}
