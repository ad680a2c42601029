import { Inject, Injectable } from '@nestjs/common';
import { Tool } from '../../tool-contract/tool.decorator.js';
import type { ToolContext, ToolInput } from '../../tool-contract/tool.types.js';
import { TodoService } from './todo.service.js';
import {
  completeTaskInput,
  createTaskInput,
  deleteTaskInput,
  listTasksInput,
  taskDeletedOutput,
  taskListOutput,
  taskResultOutput,
  updateTaskInput,
} from './todo.schemas.js';

/** The to-do tools. Titles, descriptions and subtasks are stored encrypted with the space key. */
@Injectable()
export class TodoTools {
  constructor(@Inject(TodoService) private readonly todo: TodoService) {}

  @Tool({
    name: 'todo.create',
    module: 'todo',
    scope: 'user-space',
    policy: 'write',
    description:
      'Create a task with a priority (low|medium|high|urgent), an optional due date and up to 20 subtasks.',
    input: createTaskInput,
    output: taskResultOutput,
  })
  async create(input: ToolInput<typeof createTaskInput>, ctx: ToolContext) {
    return { task: await this.todo.create(ctx, input) };
  }

  @Tool({
    name: 'todo.list',
    module: 'todo',
    scope: 'user-space',
    policy: 'read',
    description: 'List tasks of the space: open (default) or all, newest first or by due date, at most 100.',
    input: listTasksInput,
    output: taskListOutput,
  })
  async list(input: ToolInput<typeof listTasksInput>, ctx: ToolContext) {
    const items = await this.todo.list(ctx, input);
    return { items, count: items.length };
  }

  @Tool({
    name: 'todo.complete',
    module: 'todo',
    scope: 'user-space',
    policy: 'write',
    description: 'Mark a task done (completing a done task changes nothing).',
    input: completeTaskInput,
    output: taskResultOutput,
  })
  async complete(input: ToolInput<typeof completeTaskInput>, ctx: ToolContext) {
    return { task: await this.todo.complete(ctx, input.id) };
  }

  @Tool({
    name: 'todo.update',
    module: 'todo',
    scope: 'user-space',
    policy: 'write',
    description: 'Change a task: title, description, priority, due date, subtasks (replaces them) or status.',
    input: updateTaskInput,
    output: taskResultOutput,
  })
  async update(input: ToolInput<typeof updateTaskInput>, ctx: ToolContext) {
    return { task: await this.todo.update(ctx, input) };
  }

  @Tool({
    name: 'todo.delete',
    module: 'todo',
    scope: 'user-space',
    policy: 'destructive',
    description: 'Permanently delete a task.',
    input: deleteTaskInput,
    output: taskDeletedOutput,
  })
  delete(input: ToolInput<typeof deleteTaskInput>, ctx: ToolContext) {
    return this.todo.delete(ctx, input.id);
  }
}
