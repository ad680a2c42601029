import { Inject, Injectable, Logger } from '@nestjs/common';
import { ToolError } from '../../tool-contract/tool.error.js';
import type { Decrypted } from '../../crypto/entity-cipher.service.js';
import { SpaceDataRepository } from '../common/space-data.repository.js';
import type { SpaceScope } from '../common/space-data.repository.js';
import { TaskEntity } from './task.entity.js';
import type { CreateTaskInput, ListTasksInput, TaskOutput, UpdateTaskInput } from './todo.schemas.js';

interface Subtask {
  title: string;
  done: boolean;
}

@Injectable()
export class TodoService {
  private readonly logger = new Logger(TodoService.name);

  constructor(@Inject(SpaceDataRepository) private readonly data: SpaceDataRepository) {}

  async create(scope: SpaceScope, input: CreateTaskInput): Promise<TaskOutput> {
    const subtasks = (input.subtasks ?? []).map((title) => ({ title: title.trim(), done: false }));
    const task = await this.data.insert(
      TaskEntity,
      scope,
      {
        title: input.title.trim(),
        description: input.description ?? null,
        subtasks: subtasks.length > 0 ? JSON.stringify(subtasks) : null,
        priority: input.priority,
        dueDate: input.dueDate ?? null,
        status: 'open',
        completedAt: null,
      },
      { position: true },
    );
    return this.map(task);
  }

  async list(scope: SpaceScope, input: ListTasksInput): Promise<TaskOutput[]> {
    const tasks = await this.data.find(TaskEntity, scope, {
      where: input.status === 'open' ? { status: 'open' } : {},
      order:
        input.order === 'due'
          ? { dueDate: { direction: 'ASC', nulls: 'LAST' }, createdAt: 'DESC', id: 'ASC' }
          : { createdAt: 'DESC', id: 'ASC' },
      take: input.limit,
    });
    return tasks.map((t) => this.map(t));
  }

  /** Idempotent: completing a done task returns it unchanged. */
  async complete(scope: SpaceScope, id: string): Promise<TaskOutput> {
    const task = found(await this.data.findById(TaskEntity, scope, id), id);
    const done =
      task.status === 'done'
        ? task
        : found(
            await this.data.update(TaskEntity, scope, id, { status: 'done', completedAt: new Date() }),
            id,
          );
    return this.map(done);
  }

  async update(scope: SpaceScope, input: UpdateTaskInput): Promise<TaskOutput> {
    const patch: Partial<TaskEntity> = {};
    if (input.title !== undefined) patch.title = input.title.trim();
    if (input.description !== undefined) patch.description = input.description;
    if (input.priority !== undefined) patch.priority = input.priority;
    if (input.dueDate !== undefined) patch.dueDate = input.dueDate;
    if (input.subtasks !== undefined) {
      patch.subtasks = input.subtasks && input.subtasks.length > 0 ? JSON.stringify(input.subtasks) : null;
    }
    if (input.status !== undefined) {
      const current = found(await this.data.findById(TaskEntity, scope, input.id), input.id);
      if (current.status !== input.status) {
        patch.status = input.status;
        patch.completedAt = input.status === 'done' ? new Date() : null;
      }
    }
    return this.map(found(await this.data.update(TaskEntity, scope, input.id, patch), input.id));
  }

  async delete(scope: SpaceScope, id: string): Promise<{ deleted: true; id: string }> {
    if (!(await this.data.delete(TaskEntity, scope, id))) throw notFound(id);
    return { deleted: true, id };
  }

  private map(t: Decrypted<TaskEntity>): TaskOutput {
    const unreadable = [...t.unreadableFields];
    let subtasks: Subtask[] = [];
    if (t.subtasks !== null) {
      try {
        subtasks = JSON.parse(t.subtasks) as Subtask[];
      } catch {
        this.logger.error(`tasks.subtasks of row ${t.id} decrypted to something that is not JSON`);
        unreadable.push('subtasks');
      }
    }
    return {
      id: t.id,
      title: t.title,
      description: t.description,
      priority: t.priority,
      dueDate: t.dueDate,
      status: t.status,
      completedAt: t.completedAt ? t.completedAt.toISOString() : null,
      subtasks,
      position: t.position,
      createdAt: t.createdAt.toISOString(),
      updatedAt: t.updatedAt.toISOString(),
      decryptionFailed: unreadable.length > 0,
      unreadableFields: unreadable,
    };
  }
}

function found<T>(row: T | null, id: string): T {
  if (!row) throw notFound(id);
  return row;
}

function notFound(id: string): ToolError {
  return new ToolError(`Task ${id} not found in this space`, 'NOT_FOUND');
}
