import { Inject, Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { DataSource } from 'typeorm';
import type { EntityManager } from 'typeorm';
import { AppConfig } from '../config/app-config.js';
import { AuthErrorCode, AuthException } from './auth.exception.js';
import { JwtKeysService } from './tokens/jwt-keys.service.js';
import { RefreshTokenEntity } from './tokens/refresh-token.entity.js';
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

const hashToken = (token: string) => createHash('sha256').update(token).digest('hex');

@Injectable()
export class AuthService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    @Inject(AppConfig) private readonly config: AppConfig,
    @Inject(UsersService) private readonly users: UsersService,
    @Inject(JwtKeysService) private readonly keys: JwtKeysService,
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
   * one issued to another client (or to a login, for a client), revokes its whole family.
   */
  async rotateRefreshToken<T>(
    refreshToken: string,
    clientId: string | null,
    issue: (user: UserEntity, spent: RefreshTokenEntity, m: EntityManager) => Promise<T>,
  ): Promise<T> {
    const outcome = await this.dataSource.transaction(async (m): Promise<T | 'reused'> => {
      const repo = m.getRepository(RefreshTokenEntity);
      const row = await repo.findOne({ where: { tokenHash: hashToken(refreshToken) } });
      if (!row) throw new AuthException(AuthErrorCode.INVALID_REFRESH_TOKEN, 'Refresh token is not valid');
      if (row.revokedAt || row.clientId !== clientId) {
        // return instead of throwing: a throw here would roll the family revocation back
        await this.revokeFamily(m, row.familyId);
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
      const user = await this.users.findById(row.userId, m);
      if (!user || user.disabledAt) {
        throw new AuthException(
          AuthErrorCode.INVALID_REFRESH_TOKEN,
          'This account is disabled or no longer exists',
        );
      }
      return issue(user, row, m);
    });
    if (outcome === 'reused') {
      throw new AuthException(
        AuthErrorCode.INVALID_REFRESH_TOKEN,
        'Refresh token was already used or revoked; log in again',
      );
    }
    return outcome;
  }

  async logout(refreshToken: string): Promise<void> {
    const row = await this.dataSource
      .getRepository(RefreshTokenEntity)
      .findOne({ where: { tokenHash: hashToken(refreshToken) } });
    if (row) await this.revokeFamily(this.dataSource.manager, row.familyId);
  }

  /** An OAuth client revoking one of its refresh tokens (RFC 7009): the whole family goes. */
  async revokeClientRefreshToken(refreshToken: string, clientId: string): Promise<void> {
    const row = await this.dataSource
      .getRepository(RefreshTokenEntity)
      .findOne({ where: { tokenHash: hashToken(refreshToken) } });
    if (row && row.clientId === clientId) await this.revokeFamily(this.dataSource.manager, row.familyId);
  }

  /** Revokes every live token of a family (a replayed OAuth code revokes what it issued). */
  revokeRefreshFamily(familyId: string, m: EntityManager = this.dataSource.manager): Promise<void> {
    return this.revokeFamily(m, familyId);
  }

  /** A new refresh token in a family; for an OAuth client, bound to it and to its resource. */
  async issueRefreshToken(
    userId: string,
    familyId: string,
    m: EntityManager,
    client: { clientId: string; resource: string } | null = null,
  ): Promise<string> {
    const refreshToken = randomBytes(32).toString('base64url');
    await m.getRepository(RefreshTokenEntity).insert({
      userId,
      tokenHash: hashToken(refreshToken),
      familyId,
      expiresAt: new Date(Date.now() + this.config.refreshTtlSeconds * 1000),
      clientId: client?.clientId ?? null,
      resource: client?.resource ?? null,
    });
    return refreshToken;
  }

  private async revokeFamily(m: EntityManager, familyId: string): Promise<void> {
    await m
      .createQueryBuilder()
      .update(RefreshTokenEntity)
      .set({ revokedAt: () => 'now()' })
      .where('family_id = :familyId AND revoked_at IS NULL', { familyId })
      .execute();
  }

  private async issue(user: UserEntity, familyId: string, m: EntityManager): Promise<TokenPair> {
    const authUser = toAuthUser(user);
    const { token, expiresIn } = await this.keys.signAccessToken(authUser);
    const refreshToken = await this.issueRefreshToken(user.id, familyId, m);
    return { accessToken: token, refreshToken, expiresIn, user: authUser };
  }
}
