import { Inject, Injectable } from '@nestjs/common';
import { IsNull, Not } from 'typeorm';
import { ToolError } from '../../tool-contract/tool.error.js';
import { SpaceDataRepository } from '../common/space-data.repository.js';
import type { SpaceScope } from '../common/space-data.repository.js';
import { addDays, daysBetween, todayUtc } from '../../common/dates.js';
import { HabitEntity } from './habit.entity.js';
import { HabitLogsRepository } from './habit-logs.repository.js';
import type {
  ArchiveHabitInput,
  CreateHabitInput,
  HabitOutput,
  ListHabitsInput,
  LogHabitInput,
  RecentLogsInput,
  UpdateHabitInput,
} from './habits.schemas.js';

@Injectable()
export class HabitsService {
  constructor(
    @Inject(SpaceDataRepository) private readonly data: SpaceDataRepository,
    @Inject(HabitLogsRepository) private readonly logs: HabitLogsRepository,
  ) {}

  async create(scope: SpaceScope, input: CreateHabitInput): Promise<HabitOutput> {
    const habit = await this.data.insert(
      HabitEntity,
      scope,
      {
        title: input.title.trim(),
        emoji: input.emoji ?? null,
        color: input.color ?? null,
        targetCount: input.target?.count ?? null,
        targetPeriod: input.target?.per ?? null,
      },
      { position: true },
    );
    return this.map(habit);
  }

  async list(scope: SpaceScope, input: ListHabitsInput): Promise<HabitOutput[]> {
    const habits = await this.data.find(HabitEntity, scope, {
      where: { archivedAt: input.archived ? Not(IsNull()) : IsNull() },
      order: { position: 'ASC' },
      take: 500,
    });
    return habits.map((h) => this.map(h));
  }

  async update(scope: SpaceScope, input: UpdateHabitInput): Promise<HabitOutput> {
    const patch: Partial<HabitEntity> = {};
    if (input.title !== undefined) patch.title = input.title.trim();
    if (input.emoji !== undefined) patch.emoji = input.emoji;
    if (input.color !== undefined) patch.color = input.color;
    if (input.target !== undefined) {
      patch.targetCount = input.target?.count ?? null;
      patch.targetPeriod = input.target?.per ?? null;
    }
    return this.map(this.found(await this.data.update(HabitEntity, scope, input.id, patch), input.id));
  }

  async archive(scope: SpaceScope, input: ArchiveHabitInput): Promise<HabitOutput> {
    const current = this.found(await this.data.findById(HabitEntity, scope, input.id), input.id);
    if (input.archived === (current.archivedAt !== null)) return this.map(current);
    const patch = { archivedAt: input.archived ? new Date() : null };
    return this.map(this.found(await this.data.update(HabitEntity, scope, input.id, patch), input.id));
  }

  async log(
    scope: SpaceScope,
    input: LogHabitInput,
  ): Promise<{
    log: { id: string; habitId: string; day: string; count: number };
    created: boolean;
    message: string;
  }> {
    const habit = this.found(await this.data.findById(HabitEntity, scope, input.habitId), input.habitId);
    if (habit.archivedAt)
      throw new ToolError(`Habit ${habit.id} is archived; restore it before logging`, 'ARCHIVED');
    const today = todayUtc();
    const day = input.day ?? today;
    if (daysBetween(today, day) > 1) throw new ToolError(`day ${day} is in the future`, 'INVALID_DAY');
    if (daysBetween(day, today) > 366)
      throw new ToolError(`day ${day} is more than a year ago`, 'INVALID_DAY');
    const { row, created } = await this.logs.insertOnce(
      scope.spaceId,
      habit.id,
      day,
      input.count,
      scope.user.id,
    );
    return {
      log: { id: row.id, habitId: row.habit_id, day: row.day, count: row.count },
      created,
      message: created
        ? `Logged "${habit.title}" for ${day}`
        : `"${habit.title}" was already logged for ${day}; nothing changed`,
    };
  }

  async recentLogs(scope: SpaceScope, input: RecentLogsInput) {
    if (input.habitId) this.found(await this.data.findById(HabitEntity, scope, input.habitId), input.habitId);
    const to = todayUtc();
    const from = addDays(to, -(input.days - 1));
    const rows = await this.logs.recent(scope.spaceId, from, input.habitId);
    const totals = new Map<
      string,
      { habitId: string; title: string; daysLogged: number; checkIns: number }
    >();
    for (const r of rows) {
      const t = totals.get(r.habit_id) ?? { habitId: r.habit_id, title: r.title, daysLogged: 0, checkIns: 0 };
      t.daysLogged += 1;
      t.checkIns += r.count;
      totals.set(r.habit_id, t);
    }
    return {
      from,
      to,
      items: rows.map((r) => ({ habitId: r.habit_id, title: r.title, day: r.day, count: r.count })),
      totals: [...totals.values()],
    };
  }

  async delete(scope: SpaceScope, id: string): Promise<{ deleted: true; id: string }> {
    if (!(await this.data.delete(HabitEntity, scope, id))) throw notFound(id);
    return { deleted: true, id };
  }

  private found<T>(row: T | null, id: string): T {
    if (!row) throw notFound(id);
    return row;
  }

  private map(h: HabitEntity): HabitOutput {
    return {
      id: h.id,
      title: h.title,
      emoji: h.emoji,
      color: h.color,
      target:
        h.targetCount !== null && h.targetPeriod !== null
          ? { count: h.targetCount, per: h.targetPeriod }
          : null,
      position: h.position,
      archived: h.archivedAt !== null,
      createdAt: h.createdAt.toISOString(),
      updatedAt: h.updatedAt.toISOString(),
    };
  }
}

function notFound(id: string): ToolError {
  return new ToolError(`Habit ${id} not found in this space`, 'NOT_FOUND');
}
