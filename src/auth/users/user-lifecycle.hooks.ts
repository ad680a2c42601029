import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import type { UserEntity } from './user.entity.js';

export type UserCreatedHook = (manager: EntityManager, user: UserEntity) => Promise<void>;

/**
 * Lets modules above auth (spaces) take part in sign-up without auth depending on them: each hook
 * runs inside the sign-up transaction with its EntityManager.
 */
@Injectable()
export class UserLifecycleHooks {
  private readonly created: UserCreatedHook[] = [];

  onUserCreated(hook: UserCreatedHook): void {
    this.created.push(hook);
  }

  async runCreated(manager: EntityManager, user: UserEntity): Promise<void> {
    for (const hook of this.created) await hook(manager, user);
  }
}
