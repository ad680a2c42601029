import { UserEntity } from '../auth/user.entity.js';
import { RefreshTokenEntity } from '../auth/refresh-token.entity.js';
import { SpaceEntity } from '../spaces/space.entity.js';
import { SpaceMemberEntity } from '../spaces/space-member.entity.js';
import { PersonaEntity } from '../personas/persona.entity.js';
import { PersonaTickEntity } from '../personas/persona-tick.entity.js';
import { PersonaActionEntity } from '../personas/persona-action.entity.js';
import { PersonaFeedbackEntity } from '../personas/persona-feedback.entity.js';

/** Every entity, listed explicitly (the CLI and the app share this list). Append new ones here. */
export const ENTITIES = [
  UserEntity,
  RefreshTokenEntity,
  SpaceEntity,
  SpaceMemberEntity,
  PersonaEntity,
  PersonaTickEntity,
  PersonaActionEntity,
  PersonaFeedbackEntity,
];
