import { Inject, Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, IsNull } from 'typeorm';
import type { EntityManager } from 'typeorm';
import { AppConfig } from '../../config/app-config.js';
import { LiveAnswerCache } from './live-answer.cache.js';
import { RefreshTokenEntity } from './refresh-token.entity.js';

/**
 * Refresh-token families as sessions: a password login, or an OAuth grant (the authorization's id),
 * is one family; its access tokens name it in `sid` (token-revocation.ts). A family is live while
 * one of its refresh tokens is unrevoked (rotation spends one and inserts its successor in one
 * transaction, so a live family always has one); revoking the family ends the session, its access
 * tokens included. The only writer of `refresh_tokens.revoked_at` for whole families.
 */
@Injectable()
export class RefreshFamilies {
  private readonly live: LiveAnswerCache<{ userId: string }>;

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    @Inject(AppConfig) config: AppConfig,
  ) {
    this.live = new LiveAnswerCache(config.authUserCacheMs);
  }

  /**
   * Whether `familyId` is a live session of `userId`. A live answer is remembered for
   * AUTH_USER_CACHE_MS (a revocation made on another instance shows within that time); a dead one
   * is read again each time, so it costs one indexed read (ix_refresh_tokens_family) per request.
   */
  async isLive(familyId: string, userId: string): Promise<boolean> {
    const found = await this.live.get(familyId, async () => {
      const row = await this.dataSource.getRepository(RefreshTokenEntity).findOne({
        select: { userId: true },
        where: { familyId, revokedAt: IsNull() },
      });
      return row ? { userId: row.userId } : undefined;
    });
    return found?.userId === userId;
  }

  /** Ends one session: every unrevoked token of the family (logout, RFC 7009, a replayed token or code). */
  async revoke(m: EntityManager, familyId: string): Promise<void> {
    this.live.forget(familyId);
    await m
      .createQueryBuilder()
      .update(RefreshTokenEntity)
      .set({ revokedAt: () => 'now()' })
      .where('family_id = :familyId AND revoked_at IS NULL', { familyId })
      .execute();
  }

  /** Ends every session of the account (password logins and OAuth grants alike). */
  async revokeAllOf(m: EntityManager, userId: string): Promise<void> {
    const result = await m
      .createQueryBuilder()
      .update(RefreshTokenEntity)
      .set({ revokedAt: () => 'now()' })
      .where('user_id = :userId AND revoked_at IS NULL', { userId })
      .returning(['family_id'])
      .execute();
    for (const row of (result.raw ?? []) as Array<{ family_id: string }>) this.live.forget(row.family_id);
  }
}
