import { Inject, Injectable, Logger } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import type { EntityManager } from 'typeorm';
import { SpacesService } from '../spaces/spaces.service.js';
import { FieldCipher } from './field-cipher.js';
import { KeyCache } from './key-cache.js';
import { KeyUnavailableError } from './key-unavailable.error.js';
import { KeyWrapper } from './key-wrapper.js';
import type { KeyIdentity } from './key-wrapper.js';
import { VaultErrorCode, VaultException } from './vault.exception.js';
import { ZeroKnowledgeUserError } from './zero-knowledge-user.error.js';

export const KEY_CACHE_TTL_MS = 5 * 60_000;

/**
 * Per-space data keys. A personal space's key is its owner's master key (`user_keys`); a shared space
 * has its own key (`space_keys`). Both are stored wrapped by MASTER_KEK and created lazily on first
 * use, so a space always has a key when a tool needs one. Unwrapped keys are cached for 5 minutes,
 * one unwrap per key however many calls miss at once.
 *
 * Zero-knowledge: the owner's wrapped copy is destroyed, so their personal space cannot be read or
 * written by the server (ZeroKnowledgeUserError). Shared spaces stay server-readable: their key is
 * the space's, not the member's. The switch evicts the key and the values decrypted with it
 * (FieldCipher's cache); that is per process: another instance keeps them for at most the cache TTL.
 */
@Injectable()
export class SpaceKeysService {
  private readonly logger = new Logger(SpaceKeysService.name);
  private readonly cache = new KeyCache(KEY_CACHE_TTL_MS);
  /** spaceId → whose key it uses; a space's type and owner never change, so this never goes stale. */
  private readonly identities = new Map<string, KeyIdentity>();

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    @Inject(KeyWrapper) private readonly wrapper: KeyWrapper,
    @Inject(FieldCipher) private readonly fields: FieldCipher,
    @Inject(SpacesService) private readonly spaces: SpacesService,
  ) {}

  /**
   * The space's 32-byte data key. Does not check membership (the caller did). Throws
   * ZeroKnowledgeUserError when the space is the personal space of a zero-knowledge user.
   */
  async getSpaceKey(spaceId: string, _userId: string): Promise<Buffer> {
    const id = await this.identityOf(spaceId);
    return this.cache.get(cacheId(id), () => this.load(id));
  }

  /** The caller's own master key (their personal space's key). Throws when zero-knowledge. */
  async personalKey(userId: string): Promise<Buffer> {
    const id: KeyIdentity = { kind: 'user', userId };
    try {
      return await this.cache.get(cacheId(id), () => this.load(id));
    } catch (error) {
      if (error instanceof ZeroKnowledgeUserError) {
        throw new VaultException(
          VaultErrorCode.ZERO_KNOWLEDGE,
          'This account is in zero-knowledge mode: the server destroyed its copy of your key when you ' +
            'switched, so it cannot return it. Use the key your client saved at the switch.',
        );
      }
      throw error;
    }
  }

  async isZeroKnowledge(userId: string): Promise<boolean> {
    const rows: Array<{ zero_knowledge: boolean }> = await this.dataSource.query(
      `SELECT zero_knowledge FROM user_keys WHERE user_id = $1`,
      [userId],
    );
    return rows[0]?.zero_knowledge === true;
  }

  /**
   * Switches the user to zero-knowledge mode and returns their master key one last time: the
   * wrapped copy is destroyed in the same transaction, and the cached copy evicted after commit.
   */
  async enableZeroKnowledge(userId: string): Promise<Buffer> {
    const id: KeyIdentity = { kind: 'user', userId };
    const key = await this.dataSource.transaction(async (m) => {
      await this.insertIfMissing(m, id);
      const rows: Array<{ wrapped_key: string | null; zero_knowledge: boolean }> = await m.query(
        `SELECT wrapped_key, zero_knowledge FROM user_keys WHERE user_id = $1 FOR UPDATE`,
        [userId],
      );
      const row = rows[0];
      if (!row || row.zero_knowledge || row.wrapped_key === null) {
        throw new VaultException(
          VaultErrorCode.ALREADY_ZERO_KNOWLEDGE,
          'This account is already in zero-knowledge mode; the server holds no copy of its key.',
        );
      }
      const unwrapped = this.wrapper.unwrap(row.wrapped_key, id);
      await m.query(
        `UPDATE user_keys SET wrapped_key = NULL, zero_knowledge = true, zero_knowledge_at = now()
          WHERE user_id = $1`,
        [userId],
      );
      return unwrapped;
    });
    const evicted = this.cache.delete(cacheId(id));
    if (evicted) this.fields.forget(evicted); // and what was decrypted with it
    this.logger.log(`user ${userId} switched to zero-knowledge mode; server copy of the key destroyed`);
    return key;
  }

  /** Drops every cached key of this process (tests, and key-rotation tooling). */
  evictAll(): void {
    for (const key of this.cache.keys()) this.fields.forget(key);
    this.cache.clear();
  }

  private async identityOf(spaceId: string): Promise<KeyIdentity> {
    const known = this.identities.get(spaceId);
    if (known) return known;
    const space = await this.spaces.typeAndOwner(spaceId);
    if (!space) throw new KeyUnavailableError('Space not found', 'SPACE_NOT_FOUND');
    let id: KeyIdentity;
    if (space.type === 'personal') {
      if (!space.ownerId)
        throw new KeyUnavailableError('This personal space has no owner', 'SPACE_NOT_FOUND');
      id = { kind: 'user', userId: space.ownerId };
    } else {
      id = { kind: 'space', spaceId };
    }
    if (this.identities.size >= 50_000) this.identities.clear();
    this.identities.set(spaceId, id);
    return id;
  }

  /** Reads the wrapped key, creating it first when missing (concurrent creators: one wins, all read it). */
  private async load(id: KeyIdentity): Promise<Buffer> {
    const manager = this.dataSource.manager;
    const existing = await this.read(manager, id);
    if (existing) return this.unwrapRow(existing, id);
    const created = await this.insertIfMissing(manager, id);
    if (created) return created;
    const row = await this.read(manager, id);
    if (!row) throw new Error(`data key row for ${cacheId(id)} vanished right after creation`);
    return this.unwrapRow(row, id);
  }

  private unwrapRow(row: { wrapped_key: string | null; zero_knowledge: boolean }, id: KeyIdentity): Buffer {
    if (row.zero_knowledge || row.wrapped_key === null) throw new ZeroKnowledgeUserError();
    return this.wrapper.unwrap(row.wrapped_key, id);
  }

  private async read(
    m: EntityManager,
    id: KeyIdentity,
  ): Promise<{ wrapped_key: string | null; zero_knowledge: boolean } | undefined> {
    const rows: Array<{ wrapped_key: string | null; zero_knowledge: boolean }> =
      id.kind === 'user'
        ? await m.query(`SELECT wrapped_key, zero_knowledge FROM user_keys WHERE user_id = $1`, [id.userId])
        : await m.query(`SELECT wrapped_key, false AS zero_knowledge FROM space_keys WHERE space_id = $1`, [
            id.spaceId,
          ]);
    return rows[0];
  }

  /** Returns the new key when this call created it, undefined when a key already existed. */
  private async insertIfMissing(m: EntityManager, id: KeyIdentity): Promise<Buffer | undefined> {
    const key = this.wrapper.generateKey();
    const wrapped = this.wrapper.wrap(key, id);
    const rows: unknown[] =
      id.kind === 'user'
        ? await m.query(
            `INSERT INTO user_keys (user_id, wrapped_key) VALUES ($1, $2)
             ON CONFLICT (user_id) DO NOTHING RETURNING user_id`,
            [id.userId, wrapped],
          )
        : await m.query(
            `INSERT INTO space_keys (space_id, wrapped_key) VALUES ($1, $2)
             ON CONFLICT (space_id) DO NOTHING RETURNING space_id`,
            [id.spaceId, wrapped],
          );
    if (rows.length === 0) return undefined;
    this.logger.debug(`created the data key of ${cacheId(id)}`);
    return key;
  }
}

function cacheId(id: KeyIdentity): string {
  return id.kind === 'user' ? `user:${id.userId}` : `space:${id.spaceId}`;
}
