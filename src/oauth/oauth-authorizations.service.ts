import { Inject, Injectable } from '@nestjs/common';
import type { OnModuleInit } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { DataSource } from 'typeorm';
import type { EntityManager } from 'typeorm';
import { AuthService } from '../auth/auth.service.js';
import { UserLifecycleHooks } from '../auth/users/user-lifecycle.hooks.js';
import { OAuthAuthorizationEntity } from './oauth-authorization.entity.js';

/** How long the sign-in and consent pages of one request stay usable. */
export const REQUEST_TTL_MS = 10 * 60_000;
/** How long an authorization code lives (OAuth 2.1 asks for minutes at most). */
export const CODE_TTL_MS = 60_000;

const sha256 = (value: string) => createHash('sha256').update(value).digest('hex');
const secret = () => randomBytes(32).toString('base64url');

export interface NewAuthorization {
  clientId: string;
  redirectUri: string;
  codeChallenge: string;
  state?: string;
  scopes: string[];
  resource: string;
}

/** What a code was issued for, once it has been spent. */
export type CodeRedemption =
  | { ok: true; authorization: OAuthAuthorizationEntity }
  | { ok: false; reason: 'unknown' | 'other-client' | 'reused' | 'expired' };

/**
 * The `oauth_authorizations` rows, one per authorization request: created at the authorize step
 * (bound to the browser by a cookie and to its forms by a CSRF token, both stored hashed), signed
 * in, consented (a code, stored hashed, living CODE_TTL_MS), and spent exactly once.
 */
@Injectable()
export class OAuthAuthorizationsService implements OnModuleInit {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    @Inject(AuthService) private readonly auth: AuthService,
    @Inject(UserLifecycleHooks) private readonly hooks: UserLifecycleHooks,
  ) {}

  onModuleInit(): void {
    // signing out everywhere also ends the sign-ins in progress: a consent or a code not yet
    // exchanged would otherwise issue a grant that outlives the logout-all
    this.hooks.onSessionsEnded((m, userId) => this.expireOpen(m, userId));
  }

  /** Every request of `userId` not yet spent expires now (consent and code exchange refuse it). */
  async expireOpen(m: EntityManager, userId: string): Promise<void> {
    await m
      .createQueryBuilder()
      .update(OAuthAuthorizationEntity)
      .set({ expiresAt: () => 'now()' })
      .where('user_id = :userId AND consumed_at IS NULL AND expires_at > now()', { userId })
      .execute();
  }

  /** A pending request; answers the browser cookie's value and the forms' CSRF token (shown once). */
  async start(input: NewAuthorization): Promise<{ id: string; browserSecret: string; csrf: string }> {
    const browserSecret = secret();
    const csrf = secret();
    const row = await this.repo().save(
      this.repo().create({
        clientId: input.clientId,
        redirectUri: input.redirectUri,
        codeChallenge: input.codeChallenge,
        state: input.state ?? null,
        scopes: input.scopes.join(' '),
        resource: input.resource,
        browserHash: sha256(browserSecret),
        csrfHash: sha256(csrf),
        expiresAt: new Date(Date.now() + REQUEST_TTL_MS),
      }),
    );
    return { id: row.id, browserSecret, csrf };
  }

  /**
   * The pending request `id`, if the browser's cookie and the form's CSRF token both belong to it
   * and it is neither expired nor already answered; else undefined.
   */
  async pending(
    id: string,
    browserSecret: string | undefined,
    csrf: string,
  ): Promise<OAuthAuthorizationEntity | undefined> {
    const row = await this.repo().findOne({ where: { id } });
    if (!row || !browserSecret) return undefined;
    if (!sameHash(row.browserHash, browserSecret) || !sameHash(row.csrfHash, csrf)) return undefined;
    if (row.codeHash || row.consumedAt || row.expiresAt.getTime() <= Date.now()) return undefined;
    return row;
  }

  async signedIn(id: string, userId: string): Promise<void> {
    await this.repo().update({ id }, { userId });
  }

  /** The person said no: the request is spent, nothing is issued. */
  async deny(id: string): Promise<void> {
    await this.repo().update({ id }, { consumedAt: new Date() });
  }

  /** The person allowed it: a fresh code for the request (once; a second consent gets undefined). */
  async consent(id: string): Promise<string | undefined> {
    const code = secret();
    const result = await this.repo()
      .createQueryBuilder()
      .update(OAuthAuthorizationEntity)
      .set({ codeHash: sha256(code), expiresAt: new Date(Date.now() + CODE_TTL_MS) })
      .where('id = :id AND code_hash IS NULL AND consumed_at IS NULL AND user_id IS NOT NULL', { id })
      .andWhere('expires_at > now()')
      .execute();
    return result.affected ? code : undefined;
  }

  /**
   * The code's row, unspent and issued to `clientId` (the token endpoint's PKCE check reads it).
   * A code presented again revokes what it issued (its id is the refresh-token family), as
   * OAuth 2.1 §4.1.3 recommends.
   */
  async findCode(code: string, clientId: string): Promise<CodeRedemption> {
    const row = await this.repo().findOne({ where: { codeHash: sha256(code) } });
    const verdict = judge(row, clientId);
    if (!verdict.ok && verdict.reason === 'reused' && row) await this.auth.revokeRefreshFamily(row.id);
    return verdict;
  }

  /**
   * Spends a code in `m` (the caller issues the tokens in the same transaction). One conditional
   * UPDATE decides: of two exchanges of one code exactly one wins; the loser revokes what the
   * winner issued, as for any replay.
   */
  async redeem(m: EntityManager, code: string, clientId: string): Promise<CodeRedemption> {
    const spent = await m
      .createQueryBuilder()
      .update(OAuthAuthorizationEntity)
      .set({ consumedAt: () => 'now()' })
      .where('code_hash = :hash AND client_id = :clientId AND consumed_at IS NULL', {
        hash: sha256(code),
        clientId,
      })
      .andWhere('expires_at > now()')
      .execute();
    const row = await m
      .getRepository(OAuthAuthorizationEntity)
      .findOne({ where: { codeHash: sha256(code) } });
    if (spent.affected === 1 && row) return { ok: true, authorization: row };
    const verdict = judge(row, clientId);
    const failure = verdict.ok ? ({ ok: false, reason: 'reused' } as const) : verdict;
    if (failure.reason === 'reused' && row) await this.auth.revokeRefreshFamily(row.id, m);
    return failure;
  }

  private repo() {
    return this.dataSource.getRepository(OAuthAuthorizationEntity);
  }
}

function judge(row: OAuthAuthorizationEntity | null, clientId: string): CodeRedemption {
  if (!row) return { ok: false, reason: 'unknown' };
  if (row.clientId !== clientId) return { ok: false, reason: 'other-client' };
  if (row.consumedAt) return { ok: false, reason: 'reused' };
  if (row.expiresAt.getTime() <= Date.now()) return { ok: false, reason: 'expired' };
  return { ok: true, authorization: row };
}

function sameHash(storedHex: string, value: string): boolean {
  const a = Buffer.from(storedHex);
  const b = Buffer.from(sha256(value));
  return a.length === b.length && timingSafeEqual(a, b);
}
