import { Inject, Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { createHash, randomBytes } from 'node:crypto';
import { DataSource, IsNull } from 'typeorm';
import { AuthErrorCode, AuthException } from '../auth.exception.js';
import { PersonalAccessTokenEntity } from './personal-access-token.entity.js';
import { UsersService } from '../users/users.service.js';
import type { AuthUser } from '../auth.types.js';

/** Every personal access token starts so; the bearer check tells it from a JWT by this prefix. */
export const PAT_PREFIX = 'mana_pat_';
export const PAT_MAX_DAYS = 365;
/** `last_used_at` is written at most this often per token (a write per request would be a write per tool call). */
const LAST_USED_RESOLUTION_MS = 60_000;

const hashToken = (token: string) => createHash('sha256').update(token).digest('hex');

export interface PersonalAccessTokenView {
  id: string;
  name: string;
  createdAt: string;
  expiresAt: string;
  lastUsedAt: string | null;
}

/**
 * Personal access tokens: named, expiring bearer tokens for MCP clients without OAuth. The token
 * is answered once at creation and stored only as its SHA-256. Every request looks its hash up (no
 * cache), so a revoked or expired token is refused from the next request on.
 */
@Injectable()
export class PersonalAccessTokenService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    @Inject(UsersService) private readonly users: UsersService,
  ) {}

  static isOne(token: string): boolean {
    return token.startsWith(PAT_PREFIX);
  }

  async create(
    user: AuthUser,
    name: string,
    expiresInDays: number,
  ): Promise<PersonalAccessTokenView & { token: string }> {
    if (user.kind !== 'human') {
      throw new AuthException(
        AuthErrorCode.HUMANS_ONLY,
        `A ${user.kind} account cannot create personal access tokens; it signs in with its password`,
      );
    }
    const token = PAT_PREFIX + randomBytes(32).toString('base64url');
    const row = await this.repo().save(
      this.repo().create({
        userId: user.id,
        name: name.trim(),
        tokenHash: hashToken(token),
        expiresAt: new Date(Date.now() + expiresInDays * 86_400_000),
      }),
    );
    return { ...toView(row), token };
  }

  async list(userId: string): Promise<PersonalAccessTokenView[]> {
    const rows = await this.repo().find({
      where: { userId, revokedAt: IsNull() },
      order: { createdAt: 'DESC' },
    });
    return rows.map(toView);
  }

  /** Revokes one of the caller's tokens; another user's token id is "not found", never revoked. */
  async revoke(userId: string, id: string): Promise<void> {
    const result = await this.repo().update({ id, userId, revokedAt: IsNull() }, { revokedAt: new Date() });
    if (!result.affected) {
      throw new AuthException(AuthErrorCode.TOKEN_NOT_FOUND, `No personal access token ${id} of yours`);
    }
  }

  /** The token's owner, if the token is known, live and its account active; else undefined. */
  async authenticate(token: string): Promise<AuthUser | undefined> {
    const row = await this.repo().findOne({ where: { tokenHash: hashToken(token) } });
    if (!row || row.revokedAt || row.expiresAt.getTime() <= Date.now()) return undefined;
    const user = await this.users.findActiveAuthUser(row.userId);
    if (!user) return undefined;
    if (!row.lastUsedAt || Date.now() - row.lastUsedAt.getTime() >= LAST_USED_RESOLUTION_MS) {
      await this.repo().update({ id: row.id }, { lastUsedAt: new Date() });
    }
    return user;
  }

  private repo() {
    return this.dataSource.getRepository(PersonalAccessTokenEntity);
  }
}

function toView(row: PersonalAccessTokenEntity): PersonalAccessTokenView {
  return {
    id: row.id,
    name: row.name,
    createdAt: row.createdAt.toISOString(),
    expiresAt: row.expiresAt.toISOString(),
    lastUsedAt: row.lastUsedAt?.toISOString() ?? null,
  };
}
