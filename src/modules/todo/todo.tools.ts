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
    // subtasks go in as titles and come back as {title (trimmed), done: false}: `items` by `title`
    semantics: {
      effect: 'create',
      entity: 'task',
      result: 'task',
      echo: [
        { input: 'title', compare: 'text' },
        // stored as sent (not trimmed)
        { input: 'description', compare: 'exact' },
        { input: 'priority', compare: 'exact' },
        { input: 'dueDate', compare: 'exact' },
        { input: 'subtasks', compare: 'items', itemField: 'title' },
      ],
      idempotent: false,
    },
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
    semantics: {
      effect: 'list',
      entity: 'task',
      list: {
        items: 'items',
        limit: { input: 'limit', default: 20 },
        // the SQL breaks ties by id, but createdAt is answered in milliseconds while it is stored in
        // microseconds, so an id tie-break would not be visible in the answer: only the keys the
        // answer shows are promised
        order: {
          input: 'order',
          default: 'newest',
          byValue: {
            newest: [{ field: 'createdAt', direction: 'desc' }],
            due: [
              { field: 'dueDate', direction: 'asc', nulls: 'last' },
              { field: 'createdAt', direction: 'desc' },
            ],
          },
        },
        filters: [
          { kind: 'one-of', input: 'status', field: 'status', values: { open: ['open'], all: null } },
        ],
        complete: true,
        unreadableFlag: 'decryptionFailed',
      },
      derived: [{ field: 'count', rule: 'count', of: 'items' }],
      idempotent: true,
    },
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
    semantics: {
      effect: 'action',
      entity: 'task',
      idInput: 'id',
      result: 'task',
      sets: { status: { equals: 'done' }, completedAt: { set: true } },
      // completing a done task returns it unchanged (completedAt keeps its first value)
      idempotent: true,
    },
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
    // subtasks: each sent key as sent (`done` left out is false), null answers []; completedAt follows
    // the status sent (set when done, cleared when open)
    semantics: {
      effect: 'update',
      entity: 'task',
      idInput: 'id',
      result: 'task',
      echo: [
        { input: 'title', compare: 'text' },
        { input: 'description', compare: 'exact', nullClears: true },
        { input: 'priority', compare: 'exact' },
        { input: 'dueDate', compare: 'exact', nullClears: true },
        { input: 'status', compare: 'exact' },
        { input: 'subtasks', compare: 'items', nullClears: true },
      ],
      setsWhen: [
        { input: 'status', equals: 'done', sets: { completedAt: { set: true } } },
        { input: 'status', equals: 'open', sets: { completedAt: { set: false } } },
      ],
      idempotent: true,
    },
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
    semantics: { effect: 'delete', entity: 'task', idInput: 'id', result: 'id', idempotent: false },
  })
  delete(input: ToolInput<typeof deleteTaskInput>, ctx: ToolContext) {
    return this.todo.delete(ctx, input.id);
  }
}
