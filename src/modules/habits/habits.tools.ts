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
  })
  delete(input: ToolInput<typeof deleteHabitInput>, ctx: ToolContext) {
    return this.habits.delete(ctx, input.id);
  }
}
