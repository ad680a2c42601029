import { Inject, Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { DataSource } from 'typeorm';
import type { EntityManager } from 'typeorm';
import { AppConfig } from '../config/app-config.js';
import { AuthErrorCode, AuthException } from './auth.exception.js';
import { JwtKeysService } from './tokens/jwt-keys.service.js';
import { RefreshFamilies } from './tokens/refresh-families.js';
import { RefreshTokenEntity } from './tokens/refresh-token.entity.js';
import { UserLifecycleHooks } from './users/user-lifecycle.hooks.js';
import { UsersService, toAuthUser } from './users/users.service.js';
import type { UserEntity } from './users/user.entity.js';
import type { AuthUser } from './auth.types.js';

export interface TokenPair {
  accessToken: string;
  refreshToken: string;
  expiresIn: number;
  user: AuthUser;
}

/** A real argon2id hash of a random password: login of an unknown email costs the same as a wrong password. */
const DUMMY_HASH =
  '$argon2id$v=19$m=19456,p=1,t=2$2/ikPXov7IewW1kFWtmZ/w$3Bv5bjYy4yfsMxTFEAKdq2GvXcvNUTLcENbELK7vCus';

type Refusal = 'signed-out' | 'reused';

const REFUSALS: Record<Refusal, string> = {
  'signed-out': 'Refresh token was revoked when the account signed out of every session; log in again',
  reused: 'Refresh token was already used or revoked; log in again',
};

const hashToken = (token: string) => createHash('sha256').update(token).digest('hex');

@Injectable()
export class AuthService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    @Inject(AppConfig) private readonly config: AppConfig,
    @Inject(UsersService) private readonly users: UsersService,
    @Inject(JwtKeysService) private readonly keys: JwtKeysService,
    @Inject(RefreshFamilies) private readonly families: RefreshFamilies,
    @Inject(UserLifecycleHooks) private readonly hooks: UserLifecycleHooks,
  ) {}

  async login(email: string, password: string): Promise<TokenPair> {
    const user = await this.verifyCredentials(email, password);
    return this.issue(user, randomUUID(), this.dataSource.manager);
  }

  /** The account behind an email and password, if both are right and it is not disabled (login, OAuth sign-in). */
  async verifyCredentials(email: string, password: string): Promise<UserEntity> {
    const user = await this.users.findByEmail(email);
    const ok = user
      ? await this.users.verifyPassword(user, password)
      : (await this.users.verifyPassword({ passwordHash: DUMMY_HASH } as UserEntity, password), false);
    if (!user || !ok)
      throw new AuthException(AuthErrorCode.INVALID_CREDENTIALS, 'Email or password is wrong');
    if (user.disabledAt)
      throw new AuthException(AuthErrorCode.INVALID_CREDENTIALS, 'This account is disabled');
    return user;
  }

  /** Rotates a refresh token. Presenting an already-spent token revokes its whole family (theft signal). */
  refresh(refreshToken: string): Promise<TokenPair> {
    return this.rotateRefreshToken(refreshToken, null, (user, spent, m) =>
      this.issue(user, spent.familyId, m),
    );
  }

  /**
   * The family rule, for password logins (`clientId` null) and OAuth clients (src/oauth) alike: a
   * live token is spent and `issue` makes its successor in the same transaction; a spent token, or
   * one issued to another client (or to a login, for a client), revokes its whole family. A token
   * issued under an older token version of the account (before a logout-all) is refused.
   */
  async rotateRefreshToken<T>(
    refreshToken: string,
    clientId: string | null,
    issue: (user: UserEntity, spent: RefreshTokenEntity, m: EntityManager) => Promise<T>,
  ): Promise<T> {
    // a refusal found inside is returned, not thrown: a throw would roll the family revocation back
    const outcome = await this.dataSource.transaction(async (m): Promise<{ issued: T } | Refusal> => {
      const repo = m.getRepository(RefreshTokenEntity);
      const row = await repo.findOne({ where: { tokenHash: hashToken(refreshToken) } });
      if (!row) throw new AuthException(AuthErrorCode.INVALID_REFRESH_TOKEN, 'Refresh token is not valid');
      const user = await this.users.findById(row.userId, m);
      if (!user || user.disabledAt) {
        throw new AuthException(
          AuthErrorCode.INVALID_REFRESH_TOKEN,
          'This account is disabled or no longer exists',
        );
      }
      if (row.tokenVersion < user.tokenVersion) {
        await this.families.revoke(m, row.familyId);
        return 'signed-out';
      }
      if (row.revokedAt || row.clientId !== clientId) {
        await this.families.revoke(m, row.familyId);
        return 'reused';
      }
      if (row.expiresAt.getTime() <= Date.now()) {
        throw new AuthException(
          AuthErrorCode.INVALID_REFRESH_TOKEN,
          'Refresh token has expired; log in again',
        );
      }
      // conditional update: of two concurrent refreshes with one token, exactly one wins
      const spent = await m
        .createQueryBuilder()
        .update(RefreshTokenEntity)
        .set({ revokedAt: () => 'now()' })
        .where('id = :id AND revoked_at IS NULL', { id: row.id })
        .execute();
      if (!spent.affected) {
        throw new AuthException(
          AuthErrorCode.INVALID_REFRESH_TOKEN,
          'Refresh token was already used; log in again',
        );
      }
      return { issued: await issue(user, row, m) };
    });
    if (typeof outcome === 'string') {
      throw new AuthException(AuthErrorCode.INVALID_REFRESH_TOKEN, REFUSALS[outcome]);
    }
    return outcome.issued;
  }

  async logout(refreshToken: string): Promise<void> {
    const row = await this.findRefreshToken(refreshToken);
    if (row) await this.families.revoke(this.dataSource.manager, row.familyId);
  }

  /**
   * Ends every session of the account: the token version moves on (every access token issued
   * before is refused: at once on this instance, within AUTH_USER_CACHE_MS on the others), every
   * refresh-token family is revoked (password logins and OAuth grants), and what other modules keep
   * for sign-ins in progress (OAuth codes not yet exchanged) is ended through the lifecycle hooks.
   * One transaction: all of it, or nothing. Personal access tokens are not sessions and stay.
   */
  async logoutAll(userId: string): Promise<void> {
    await this.dataSource.transaction(async (m) => {
      await this.users.revokeAllTokens(userId, m);
      await this.families.revokeAllOf(m, userId);
      await this.hooks.runSessionsEnded(m, userId);
    });
  }

  /**
   * An OAuth client revoking one of its refresh tokens (RFC 7009): the whole family goes, and with
   * it the grant's access tokens. Answers whether the token was one of the client's refresh tokens.
   */
  async revokeClientRefreshToken(refreshToken: string, clientId: string): Promise<boolean> {
    const row = await this.findRefreshToken(refreshToken);
    if (!row || row.clientId !== clientId) return false;
    await this.families.revoke(this.dataSource.manager, row.familyId);
    return true;
  }

  /** Revokes every live token of a family (a replayed OAuth code, a revoked grant), its access tokens included. */
  revokeRefreshFamily(familyId: string, m: EntityManager = this.dataSource.manager): Promise<void> {
    return this.families.revoke(m, familyId);
  }

  /**
   * A new refresh token in a family, under the account's current token version; for an OAuth
   * client, bound to it and to its resource.
   */
  async issueRefreshToken(
    user: Pick<UserEntity, 'id' | 'tokenVersion'>,
    familyId: string,
    m: EntityManager,
    client: { clientId: string; resource: string } | null = null,
  ): Promise<string> {
    const refreshToken = randomBytes(32).toString('base64url');
    await m.getRepository(RefreshTokenEntity).insert({
      userId: user.id,
      tokenHash: hashToken(refreshToken),
      familyId,
      tokenVersion: user.tokenVersion,
      expiresAt: new Date(Date.now() + this.config.refreshTtlSeconds * 1000),
      clientId: client?.clientId ?? null,
      resource: client?.resource ?? null,
    });
    return refreshToken;
  }

  private findRefreshToken(refreshToken: string): Promise<RefreshTokenEntity | null> {
    return this.dataSource
      .getRepository(RefreshTokenEntity)
      .findOne({ where: { tokenHash: hashToken(refreshToken) } });
  }

  private async issue(user: UserEntity, familyId: string, m: EntityManager): Promise<TokenPair> {
    const authUser = toAuthUser(user);
    const { token, expiresIn } = await this.keys.signAccessToken(authUser, {
      session: { familyId, tokenVersion: user.tokenVersion },
    });
    const refreshToken = await this.issueRefreshToken(user, familyId, m);
    return { accessToken: token, refreshToken, expiresIn, user: authUser };
  }
}
