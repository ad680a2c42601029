import { UserEntity } from '../auth/user.entity.js';
import { RefreshTokenEntity } from '../auth/refresh-token.entity.js';
import { SpaceEntity } from '../spaces/space.entity.js';
import { SpaceMemberEntity } from '../spaces/space-member.entity.js';

/** Every entity, listed explicitly (the CLI and the app share this list). Append new ones here. */
export const ENTITIES = [UserEntity, RefreshTokenEntity, SpaceEntity, SpaceMemberEntity];
