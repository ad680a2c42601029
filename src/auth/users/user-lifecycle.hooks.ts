import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import type { UserEntity } from './user.entity.js';

export type UserCreatedHook = (manager: EntityManager, user: UserEntity) => Promise<void>;
export type SessionsEndedHook = (manager: EntityManager, userId: string) => Promise<void>;

/**
 * Lets modules above auth take part in an account's life without auth depending on them: sign-up
 * (spaces make the personal space) and the end of every session (oauth ends sign-ins in progress).
 * Each hook runs inside the caller's transaction with its EntityManager.
 */
@Injectable()
export class UserLifecycleHooks {
  private readonly created: UserCreatedHook[] = [];
  private readonly sessionsEnded: SessionsEndedHook[] = [];

  onUserCreated(hook: UserCreatedHook): void {
    this.created.push(hook);
  }

  onSessionsEnded(hook: SessionsEndedHook): void {
    this.sessionsEnded.push(hook);
  }

  async runCreated(manager: EntityManager, user: UserEntity): Promise<void> {
    for (const hook of this.created) await hook(manager, user);
  }

  async runSessionsEnded(manager: EntityManager, userId: string): Promise<void> {
    for (const hook of this.sessionsEnded) await hook(manager, userId);
  }
}
