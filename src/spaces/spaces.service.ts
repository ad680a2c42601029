import { Inject, Injectable } from '@nestjs/common';
import type { OnModuleInit } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import type { EntityManager } from 'typeorm';
import { UserLifecycleHooks } from '../auth/users/user-lifecycle.hooks.js';
import { UsersService } from '../auth/users/users.service.js';
import { isUuid } from '../common/uuid.js';
import { SpaceEntity } from './space.entity.js';
import type { SpaceType } from './space.entity.js';
import { SpaceMemberEntity } from './space-member.entity.js';
import type { SpaceRole } from './space-member.entity.js';
import { SpaceErrorCode, SpaceException } from './spaces.exception.js';
import type { SpaceMemberResponseDto, SpaceResponseDto } from './spaces.dto.js';

export interface MySpace {
  id: string;
  name: string;
  type: SpaceType;
  role: SpaceRole;
  createdAt: Date;
}

@Injectable()
export class SpacesService implements OnModuleInit {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    @Inject(UserLifecycleHooks) private readonly hooks: UserLifecycleHooks,
    @Inject(UsersService) private readonly users: UsersService,
  ) {}

  onModuleInit(): void {
    // every user gets exactly one personal space, in the sign-up transaction
    this.hooks.onUserCreated(async (m, user) => {
      await this.createSpace(m, user.id, user.name ? `${user.name}'s space` : 'Personal', 'personal');
    });
  }

  private async createSpace(
    m: EntityManager,
    ownerId: string,
    name: string,
    type: SpaceType,
  ): Promise<SpaceEntity> {
    const space = await m
      .getRepository(SpaceEntity)
      .save(m.getRepository(SpaceEntity).create({ name, type }));
    await m.getRepository(SpaceMemberEntity).insert({ spaceId: space.id, userId: ownerId, role: 'owner' });
    return space;
  }

  async listMine(userId: string): Promise<MySpace[]> {
    const rows: Array<{ id: string; name: string; type: SpaceType; role: SpaceRole; created_at: Date }> =
      await this.dataSource.query(
        `SELECT s.id, s.name, s.type, m.role, s.created_at
           FROM space_members m JOIN spaces s ON s.id = m.space_id
          WHERE m.user_id = $1
          ORDER BY (s.type = 'personal') DESC, s.created_at, s.id`,
        [userId],
      );
    return rows.map((r) => ({ id: r.id, name: r.name, type: r.type, role: r.role, createdAt: r.created_at }));
  }

  async create(userId: string, name: string, type: SpaceType): Promise<MySpace> {
    const space = await this.dataSource.transaction((m) => this.createSpace(m, userId, name.trim(), type));
    return { id: space.id, name: space.name, type: space.type, role: 'owner', createdAt: space.createdAt };
  }

  async personalSpaceId(userId: string, manager: EntityManager = this.dataSource.manager): Promise<string> {
    const rows: Array<{ id: string }> = await manager.query(
      `SELECT s.id FROM space_members m JOIN spaces s ON s.id = m.space_id
        WHERE m.user_id = $1 AND s.type = 'personal' AND m.role = 'owner' LIMIT 1`,
      [userId],
    );
    if (rows.length === 0)
      throw new SpaceException(SpaceErrorCode.NOT_FOUND, 'This account has no personal space');
    return rows[0].id;
  }

  /**
   * The space's type and owner, for callers that must know whose space it is (the key vault: a
   * personal space uses its owner's key). Undefined when the space does not exist; no membership check.
   */
  async typeAndOwner(spaceId: string): Promise<{ type: SpaceType; ownerId: string | null } | undefined> {
    const rows: Array<{ type: SpaceType; owner_id: string | null }> = await this.dataSource.query(
      `SELECT s.type, m.user_id AS owner_id
         FROM spaces s LEFT JOIN space_members m ON m.space_id = s.id AND m.role = 'owner'
        WHERE s.id = $1
        LIMIT 1`,
      [spaceId],
    );
    const row = rows[0];
    return row && { type: row.type, ownerId: row.owner_id };
  }

  /** The caller's role in the space; a non-member is told the space does not exist (404). */
  async assertMember(userId: string, spaceId: string): Promise<{ space: SpaceEntity; role: SpaceRole }> {
    if (!isUuid(spaceId)) {
      throw new SpaceException(SpaceErrorCode.NOT_FOUND, 'Space not found');
    }
    const member = await this.dataSource
      .getRepository(SpaceMemberEntity)
      .findOne({ where: { userId, spaceId } });
    const space =
      member && (await this.dataSource.getRepository(SpaceEntity).findOne({ where: { id: spaceId } }));
    if (!member || !space) throw new SpaceException(SpaceErrorCode.NOT_FOUND, 'Space not found');
    return { space, role: member.role };
  }

  async members(userId: string, spaceId: string): Promise<SpaceMemberResponseDto[]> {
    await this.assertMember(userId, spaceId);
    const rows: Array<{ user_id: string; email: string; role: SpaceRole }> = await this.dataSource.query(
      `SELECT m.user_id, u.email, m.role FROM space_members m JOIN users u ON u.id = m.user_id
        WHERE m.space_id = $1 ORDER BY m.created_at, u.email`,
      [spaceId],
    );
    return rows.map((r) => ({ userId: r.user_id, email: r.email, role: r.role }));
  }

  async addMember(ownerId: string, spaceId: string, email: string): Promise<SpaceMemberResponseDto> {
    const { space, role } = await this.assertMember(ownerId, spaceId);
    if (role !== 'owner')
      throw new SpaceException(SpaceErrorCode.NOT_OWNER, 'Only the space owner can add members');
    if (space.type === 'personal') {
      throw new SpaceException(SpaceErrorCode.PERSONAL, 'A personal space cannot have other members');
    }
    const user = await this.users.findByEmail(email);
    if (!user)
      throw new SpaceException(SpaceErrorCode.USER_NOT_FOUND, `No account with email ${email.toLowerCase()}`);
    await this.dataSource.query(
      `INSERT INTO space_members (space_id, user_id, role) VALUES ($1, $2, 'member') ON CONFLICT DO NOTHING`,
      [spaceId, user.id],
    );
    const existing = await this.dataSource
      .getRepository(SpaceMemberEntity)
      .findOneOrFail({ where: { spaceId, userId: user.id } });
    return { userId: user.id, email: user.email, role: existing.role };
  }

  /** The owner removes a member, or a member leaves. The owner cannot be removed. */
  async removeMember(callerId: string, spaceId: string, memberId: string): Promise<void> {
    const { role } = await this.assertMember(callerId, spaceId);
    if (role !== 'owner' && callerId !== memberId) {
      throw new SpaceException(SpaceErrorCode.NOT_OWNER, 'Only the space owner can remove other members');
    }
    const target = await this.dataSource
      .getRepository(SpaceMemberEntity)
      .findOne({ where: { spaceId, userId: memberId } });
    if (!target)
      throw new SpaceException(SpaceErrorCode.MEMBER_NOT_FOUND, 'That user is not a member of this space');
    if (target.role === 'owner') {
      throw new SpaceException(SpaceErrorCode.OWNER_REMOVAL, 'The owner cannot be removed from their space');
    }
    await this.dataSource.getRepository(SpaceMemberEntity).delete({ spaceId, userId: memberId });
  }

  /**
   * Before an account is deleted: spaces it owns alone are deleted (their rows cascade); a shared
   * space it owns where others remain is kept and handed to the longest-standing remaining member,
   * so deleting a synthetic user never destroys what a real member still uses.
   */
  async releaseOwnedBy(userId: string, m: EntityManager): Promise<{ deleted: number; transferred: number }> {
    const owned: Array<{ space_id: string; heir: string | null }> = await m.query(
      `SELECT o.space_id,
              (SELECT x.user_id FROM space_members x
                WHERE x.space_id = o.space_id AND x.user_id <> $1
                ORDER BY x.created_at, x.user_id LIMIT 1) AS heir
         FROM space_members o
        WHERE o.user_id = $1 AND o.role = 'owner'
        FOR UPDATE`,
      [userId],
    );
    const orphans = owned.filter((s) => s.heir === null).map((s) => s.space_id);
    const heirs = owned.filter((s) => s.heir !== null);
    if (orphans.length > 0) await m.query(`DELETE FROM spaces WHERE id = ANY($1::uuid[])`, [orphans]);
    for (const s of heirs) {
      await m.query(`UPDATE space_members SET role = 'owner' WHERE space_id = $1 AND user_id = $2`, [
        s.space_id,
        s.heir,
      ]);
    }
    return { deleted: orphans.length, transferred: heirs.length };
  }

  toResponse(space: MySpace): SpaceResponseDto {
    return {
      id: space.id,
      name: space.name,
      type: space.type,
      role: space.role,
      createdAt: space.createdAt.toISOString(),
    };
  }
}
