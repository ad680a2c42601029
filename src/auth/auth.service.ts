import { Inject, Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { DataSource } from 'typeorm';
import type { EntityManager } from 'typeorm';
import { AppConfig } from '../config/app-config.js';
import { AuthErrorCode, AuthException } from './auth.exception.js';
import { JwtKeysService } from './jwt-keys.service.js';
import { RefreshTokenEntity } from './refresh-token.entity.js';
import { UsersService, toAuthUser } from './users.service.js';
import type { UserEntity } from './user.entity.js';
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
    const user = await this.users.findByEmail(email);
    const ok = user
      ? await this.users.verifyPassword(user, password)
      : (await this.users.verifyPassword({ passwordHash: DUMMY_HASH } as UserEntity, password), false);
    if (!user || !ok)
      throw new AuthException(AuthErrorCode.INVALID_CREDENTIALS, 'Email or password is wrong');
    if (user.disabledAt)
      throw new AuthException(AuthErrorCode.INVALID_CREDENTIALS, 'This account is disabled');
    return this.issue(user, randomUUID(), this.dataSource.manager);
  }

  /** Rotates a refresh token. Presenting an already-spent token revokes its whole family (theft signal). */
  async refresh(refreshToken: string): Promise<TokenPair> {
    const outcome = await this.dataSource.transaction(async (m): Promise<TokenPair | 'reused'> => {
      const repo = m.getRepository(RefreshTokenEntity);
      const row = await repo.findOne({ where: { tokenHash: hashToken(refreshToken) } });
      if (!row) throw new AuthException(AuthErrorCode.INVALID_REFRESH_TOKEN, 'Refresh token is not valid');
      if (row.revokedAt) {
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
      return this.issue(user, row.familyId, m);
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
    const refreshToken = randomBytes(32).toString('base64url');
    await m.getRepository(RefreshTokenEntity).insert({
      userId: user.id,
      tokenHash: hashToken(refreshToken),
      familyId,
      expiresAt: new Date(Date.now() + this.config.refreshTtlSeconds * 1000),
    });
    return { accessToken: token, refreshToken, expiresIn, user: authUser };
  }
}
