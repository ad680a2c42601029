import { UserEntity } from '../auth/users/user.entity.js';
import { RefreshTokenEntity } from '../auth/tokens/refresh-token.entity.js';
import { SpaceEntity } from '../spaces/space.entity.js';
import { SpaceMemberEntity } from '../spaces/space-member.entity.js';
import { PersonaEntity } from '../personas/persona.entity.js';
import { PersonaTickEntity } from '../personas/schedule/persona-tick.entity.js';
import { PersonaActionEntity } from '../personas/audit/persona-action.entity.js';
import { PersonaFeedbackEntity } from '../personas/audit/persona-feedback.entity.js';
import { PersonaFindingEntity } from '../personas/audit/persona-finding.entity.js';
import { TargetEntity } from '../personas/targets/target.entity.js';
import { UserKeyEntity } from '../crypto/user-key.entity.js';
import { SpaceKeyEntity } from '../crypto/space-key.entity.js';
import { HabitEntity } from '../modules/habits/habit.entity.js';
import { HabitLogEntity } from '../modules/habits/habit-log.entity.js';
import { TaskEntity } from '../modules/todo/task.entity.js';
import { NoteEntity } from '../modules/notes/note.entity.js';
import { JournalEntryEntity } from '../modules/journal/journal-entry.entity.js';
import { MoodEntryEntity } from '../modules/mood/mood-entry.entity.js';
import { CalendarEventEntity } from '../modules/calendar/calendar-event.entity.js';
import { ContactEntity } from '../modules/contacts/contact.entity.js';
import { UserSettingsEntity } from '../tools/settings/user-settings.entity.js';
import { FaultEntity } from '../faults/fault.entity.js';
import { OAuthClientEntity } from '../oauth/oauth-client.entity.js';
import { OAuthAuthorizationEntity } from '../oauth/oauth-authorization.entity.js';
import { PersonalAccessTokenEntity } from '../auth/tokens/personal-access-token.entity.js';
import { McpSessionEntity } from '../tools/mcp/mcp-session.entity.js';
import { McpEventEntity } from '../tools/mcp/mcp-event.entity.js';

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
  PersonaFindingEntity,
  TargetEntity,
  UserKeyEntity,
  SpaceKeyEntity,
  HabitEntity,
  HabitLogEntity,
  TaskEntity,
  NoteEntity,
  JournalEntryEntity,
  MoodEntryEntity,
  CalendarEventEntity,
  ContactEntity,
  UserSettingsEntity,
  FaultEntity,
  OAuthClientEntity,
  OAuthAuthorizationEntity,
  PersonalAccessTokenEntity,
  McpSessionEntity,
  McpEventEntity,
];
