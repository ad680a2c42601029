import { Inject, Injectable, Logger } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import type { EntityManager } from 'typeorm';
import { AppConfig } from '../../config/app-config.js';
import { isUuid } from '../../common/uuid.js';
import { AuthErrorCode, AuthException } from '../auth.exception.js';
import { LiveAnswerCache } from '../tokens/live-answer.cache.js';
import { PasswordHasher } from './password-hasher.js';
import { passwordWeakness } from './password-policy.js';
import { UserEntity } from './user.entity.js';
import { UserLifecycleHooks } from './user-lifecycle.hooks.js';
import type { AuthUser } from '../auth.types.js';

export interface RegisterInput {
  email: string;
  password: string;
  name?: string;
}

/** An account that may use its tokens, with the token version they are held to. */
export interface ActiveAccount {
  user: AuthUser;
  tokenVersion: number;
}

export function toAuthUser(user: UserEntity): AuthUser {
  return { id: user.id, email: user.email, kind: user.kind, tier: user.tier, role: user.role };
}

/** Accounts: sign-up (the one path every user takes, personas included), lookups, kind stamping. */
@Injectable()
export class UsersService {
  private readonly logger = new Logger(UsersService.name);
  private readonly authUsers: LiveAnswerCache<ActiveAccount>;

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    @Inject(PasswordHasher) private readonly hasher: PasswordHasher,
    @Inject(UserLifecycleHooks) private readonly hooks: UserLifecycleHooks,
    @Inject(AppConfig) config: AppConfig,
  ) {
    this.authUsers = new LiveAnswerCache(config.authUserCacheMs);
  }

  /**
   * Creates the user and, through the lifecycle hooks, their personal space, in one transaction.
   * Pass `manager` to join a transaction the caller already holds.
   */
  async register(input: RegisterInput, manager?: EntityManager): Promise<UserEntity> {
    const email = input.email.trim().toLowerCase();
    const weakness = passwordWeakness(input.password, email);
    if (weakness) throw new AuthException(AuthErrorCode.WEAK_PASSWORD, weakness);
    const passwordHash = await this.hasher.hash(input.password);
    const run = async (m: EntityManager): Promise<UserEntity> => {
      const existing = await m.getRepository(UserEntity).findOne({ where: { email } });
      if (existing)
        throw new AuthException(AuthErrorCode.EMAIL_TAKEN, 'An account with this email already exists');
      const user = await m
        .getRepository(UserEntity)
        .save(m.getRepository(UserEntity).create({ email, passwordHash, name: input.name?.trim() || null }));
      await this.hooks.runCreated(m, user);
      return user;
    };
    try {
      return manager ? await run(manager) : await this.dataSource.transaction(run);
    } catch (error) {
      // two sign-ups racing for one email: the unique index decides, the loser gets a clean 409
      if ((error as { driverError?: { code?: string } }).driverError?.code === '23505') {
        throw new AuthException(AuthErrorCode.EMAIL_TAKEN, 'An account with this email already exists');
      }
      throw error;
    }
  }

  findByEmail(email: string, manager: EntityManager = this.dataSource.manager): Promise<UserEntity | null> {
    return manager.getRepository(UserEntity).findOne({ where: { email: email.trim().toLowerCase() } });
  }

  findById(id: string, manager: EntityManager = this.dataSource.manager): Promise<UserEntity | null> {
    return manager.getRepository(UserEntity).findOne({ where: { id } });
  }

  /**
   * The account a token's `sub` names, if it exists and is not disabled, with its token version.
   * Read at most once per AUTH_USER_CACHE_MS; every write below that changes what this returns
   * forgets the account first.
   */
  async findActiveAccount(id: string): Promise<ActiveAccount | undefined> {
    if (!isUuid(id)) return undefined;
    return this.authUsers.get(id.toLowerCase(), async () => {
      const user = await this.findById(id);
      if (!user || user.disabledAt) return undefined;
      return { user: Object.freeze(toAuthUser(user)), tokenVersion: user.tokenVersion };
    });
  }

  /** The account a token's `sub` names, if it exists and is not disabled (findActiveAccount). */
  async findActiveAuthUser(id: string): Promise<AuthUser | undefined> {
    return (await this.findActiveAccount(id))?.user;
  }

  /**
   * Adds one to the account's token version: every access and refresh token issued before is
   * refused from now on (at once here, within AUTH_USER_CACHE_MS on other instances).
   */
  async revokeAllTokens(userId: string, manager: EntityManager = this.dataSource.manager): Promise<void> {
    this.authUsers.forget(userId);
    await manager
      .getRepository(UserEntity)
      .update({ id: userId }, { tokenVersion: () => 'token_version + 1' });
  }

  async verifyPassword(user: UserEntity, password: string): Promise<boolean> {
    return this.hasher.verify(user.passwordHash, password);
  }

  /** Sets a new password (checked against the same policy as sign-up). */
  async setPassword(
    userId: string,
    password: string,
    manager: EntityManager = this.dataSource.manager,
  ): Promise<void> {
    const user = await this.findById(userId, manager);
    if (!user) throw new AuthException(AuthErrorCode.USER_NOT_FOUND, 'User not found');
    const weakness = passwordWeakness(password, user.email);
    if (weakness) throw new AuthException(AuthErrorCode.WEAK_PASSWORD, weakness);
    await manager
      .getRepository(UserEntity)
      .update({ id: userId }, { passwordHash: await this.hasher.hash(password) });
  }

  /**
   * Marks a user as a persona (kind persona, tier founder, verified). Only a user that already is a
   * persona, or one created in the caller's current transaction (the personas flow that just signed
   * it up), can be stamped: an established human account is refused, never converted.
   */
  async stampPersona(userId: string, manager: EntityManager = this.dataSource.manager): Promise<UserEntity> {
    const rows: Array<{ kind: string; created_here: boolean }> = await manager.query(
      `SELECT kind, (xmin::text = (pg_current_xact_id()::xid)::text) AS created_here FROM users WHERE id = $1`,
      [userId],
    );
    if (rows.length === 0) throw new AuthException(AuthErrorCode.USER_NOT_FOUND, 'User not found');
    const [{ kind, created_here }] = rows;
    if (kind !== 'persona' && !(kind === 'human' && created_here)) {
      throw new AuthException(
        AuthErrorCode.NOT_STAMPABLE,
        `This email belongs to an existing ${kind} account; it cannot be turned into a persona`,
      );
    }
    this.authUsers.forget(userId);
    await manager
      .getRepository(UserEntity)
      .update({ id: userId }, { kind: 'persona', tier: 'founder', emailVerified: true });
    return (await this.findById(userId, manager)) as UserEntity;
  }

  /** Makes sure an admin with this email exists; creates it, or promotes an existing human. */
  async ensureAdmin(email: string, password: string): Promise<{ user: UserEntity; created: boolean }> {
    return this.dataSource.transaction(async (m) => {
      const existing = await this.findByEmail(email, m);
      if (existing) {
        if (existing.kind !== 'human') {
          throw new AuthException(
            AuthErrorCode.NOT_STAMPABLE,
            `${email} is a ${existing.kind} account; it cannot be an admin`,
          );
        }
        if (existing.role !== 'admin') {
          this.authUsers.forget(existing.id);
          await m.getRepository(UserEntity).update({ id: existing.id }, { role: 'admin' });
          this.logger.log(`promoted ${email} to admin`);
        }
        return { user: { ...existing, role: 'admin' } as UserEntity, created: false };
      }
      const user = await this.register({ email, password, name: 'Admin' }, m);
      await m.getRepository(UserEntity).update({ id: user.id }, { role: 'admin', emailVerified: true });
      return { user: { ...user, role: 'admin' } as UserEntity, created: true };
    });
  }

  async setName(
    userId: string,
    name: string,
    manager: EntityManager = this.dataSource.manager,
  ): Promise<void> {
    await manager.getRepository(UserEntity).update({ id: userId }, { name });
  }

  /** Reads a user and locks the row until the caller's transaction ends (for delete flows). */
  async lockForUpdate(userId: string, manager: EntityManager): Promise<UserEntity | null> {
    return manager
      .getRepository(UserEntity)
      .createQueryBuilder('u')
      .setLock('pessimistic_write')
      .where('u.id = :userId', { userId })
      .getOne();
  }

  /** Deletes the account; every row that references it cascades (tokens, memberships, persona rows). */
  async hardDelete(userId: string, manager: EntityManager): Promise<void> {
    this.authUsers.forget(userId);
    await manager.getRepository(UserEntity).delete({ id: userId });
  }

  async countAdmins(): Promise<number> {
    return this.dataSource.getRepository(UserEntity).count({ where: { role: 'admin' } });
  }

  /**
   * Disables the account: its tokens stop working (at once here, within AUTH_USER_CACHE_MS on other
   * instances), and the token version moves on so that undoing the flag by hand revives none of them.
   */
  async disable(userId: string): Promise<void> {
    this.authUsers.forget(userId);
    await this.dataSource
      .getRepository(UserEntity)
      .update({ id: userId }, { disabledAt: new Date(), tokenVersion: () => 'token_version + 1' });
  }
}
