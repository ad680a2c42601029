import { Inject, Injectable } from '@nestjs/common';
import { Tool } from '../../tool-contract/tool.decorator.js';
import type { ToolContext, ToolInput } from '../../tool-contract/tool.types.js';
import { HabitsService } from './habits.service.js';
import {
  archiveHabitInput,
  createHabitInput,
  deleteHabitInput,
  deletedOutput,
  habitListOutput,
  habitLogOutput,
  habitResultOutput,
  listHabitsInput,
  logHabitInput,
  recentLogsInput,
  recentLogsOutput,
  updateHabitInput,
} from './habits.schemas.js';

/** The habits tools (plaintext: they keep working in zero-knowledge mode). */
@Injectable()
export class HabitsTools {
  constructor(@Inject(HabitsService) private readonly habits: HabitsService) {}

  @Tool({
    name: 'habits.create',
    module: 'habits',
    scope: 'user-space',
    policy: 'write',
    description:
      'Create a habit in the active space, optionally with an emoji, a colour and a target per day or week.',
    input: createHabitInput,
    output: habitResultOutput,
    semantics: {
      effect: 'create',
      entity: 'habit',
      result: 'habit',
      // the title is trimmed; emoji and colour are stored as sent; target comes back as sent ({count, per})
      echo: [
        { input: 'title', compare: 'text' },
        { input: 'emoji', compare: 'exact' },
        { input: 'color', compare: 'exact' },
        { input: 'target', compare: 'json' },
      ],
      idempotent: false,
    },
  })
  async create(input: ToolInput<typeof createHabitInput>, ctx: ToolContext) {
    return { habit: await this.habits.create(ctx, input) };
  }

  @Tool({
    name: 'habits.list',
    module: 'habits',
    scope: 'user-space',
    policy: 'read',
    description: 'List the active habits of the space in their order (archived: true lists archived ones).',
    input: listHabitsInput,
    output: habitListOutput,
    semantics: {
      effect: 'list',
      entity: 'habit',
      list: {
        items: 'items',
        order: { fixed: [{ field: 'position', direction: 'asc' }] },
        filters: [{ kind: 'equals', input: 'archived', field: 'archived' }],
        // no limit input: every habit passing the filter (capped at 500 by the service)
        complete: true,
      },
      derived: [{ field: 'count', rule: 'count', of: 'items' }],
      idempotent: true,
    },
  })
  async list(input: ToolInput<typeof listHabitsInput>, ctx: ToolContext) {
    const items = await this.habits.list(ctx, input);
    return { items, count: items.length };
  }

  @Tool({
    name: 'habits.update',
    module: 'habits',
    scope: 'user-space',
    policy: 'write',
    description: "Change a habit's title, emoji, colour or target (null removes an optional field).",
    input: updateHabitInput,
    output: habitResultOutput,
    semantics: {
      effect: 'update',
      entity: 'habit',
      idInput: 'id',
      result: 'habit',
      echo: [
        { input: 'title', compare: 'text' },
        { input: 'emoji', compare: 'exact', nullClears: true },
        { input: 'color', compare: 'exact', nullClears: true },
        { input: 'target', compare: 'json', nullClears: true },
      ],
      idempotent: true,
    },
  })
  async update(input: ToolInput<typeof updateHabitInput>, ctx: ToolContext) {
    return { habit: await this.habits.update(ctx, input) };
  }

  @Tool({
    name: 'habits.archive',
    module: 'habits',
    scope: 'user-space',
    policy: 'write',
    description: 'Archive a habit (it stops showing in the list); archived: false restores it.',
    input: archiveHabitInput,
    output: habitResultOutput,
    semantics: {
      effect: 'update',
      entity: 'habit',
      idInput: 'id',
      result: 'habit',
      echo: [{ input: 'archived', compare: 'exact' }],
      idempotent: true,
    },
  })
  async archive(input: ToolInput<typeof archiveHabitInput>, ctx: ToolContext) {
    return { habit: await this.habits.archive(ctx, input) };
  }

  @Tool({
    name: 'habits.log',
    module: 'habits',
    scope: 'user-space',
    policy: 'write',
    description:
      'Check in a habit for a day (default today, UTC). One check-in per habit per day: a repeat changes nothing and says so.',
    input: logHabitInput,
    output: habitLogOutput,
    // One check-in per habit and day: a repeat answers the existing check-in with created: false and
    // writes nothing, so the call is idempotent. The check-in answered is always the (habitId, day)
    // one; its count is the one sent only when this call created it.
    semantics: {
      effect: 'create',
      entity: 'habit-log',
      result: 'log',
      echo: [
        { input: 'habitId', compare: 'exact' },
        { input: 'day', compare: 'exact' },
        { input: 'count', compare: 'exact', when: { path: 'created', equals: true } },
      ],
      idempotent: true,
    },
  })
  log(input: ToolInput<typeof logHabitInput>, ctx: ToolContext) {
    return this.habits.log(ctx, input);
  }

  @Tool({
    name: 'habits.recent_logs',
    module: 'habits',
    scope: 'user-space',
    policy: 'read',
    description: 'Check-ins of the last N days (at most 90), for one habit or all, with per-habit totals.',
    input: recentLogsInput,
    output: recentLogsOutput,
    // Items carry no check-in id (a check-in is its habitId and day), so this reader cannot be used to
    // find a check-in by id: complete is false to keep read-your-writes off it. The per-habit totals
    // (daysLogged, checkIns per habitId) are not expressible as derived fields and are not declared.
    semantics: {
      effect: 'list',
      entity: 'habit-log',
      list: {
        items: 'items',
        // then by the habit's position, which the items do not show
        order: { fixed: [{ field: 'day', direction: 'desc' }] },
        filters: [
          { kind: 'equals', input: 'habitId', field: 'habitId' },
          // from = today (UTC) - (days - 1)
          { kind: 'days-back', input: 'days', field: 'day' },
        ],
        complete: false,
      },
      idempotent: true,
    },
  })
  recentLogs(input: ToolInput<typeof recentLogsInput>, ctx: ToolContext) {
    return this.habits.recentLogs(ctx, input);
  }

  @Tool({
    name: 'habits.delete',
    module: 'habits',
    scope: 'user-space',
    policy: 'destructive',
    description: 'Permanently delete a habit and all its check-ins. Prefer habits.archive.',
    input: deleteHabitInput,
    output: deletedOutput,
    semantics: { effect: 'delete', entity: 'habit', idInput: 'id', result: 'id', idempotent: false },
  })
  delete(input: ToolInput<typeof deleteHabitInput>, ctx: ToolContext) {
    return this.habits.delete(ctx, input.id);
  }
}
