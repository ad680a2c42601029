import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';

export interface HabitLogRow {
  id: string;
  habit_id: string;
  day: string;
  count: number;
}

/** Check-in SQL that a plain find cannot express (insert-once, and a join for the recent view). */
@Injectable()
export class HabitLogsRepository {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  /**
   * One check-in per habit per day: the unique (habit_id, day) index makes a repeat a no-op, and the
   * existing row is read back, so a retried call is idempotent. The (habit_id, space_id) foreign key
   * makes a log in another space than its habit impossible.
   */
  async insertOnce(
    spaceId: string,
    habitId: string,
    day: string,
    count: number,
    actorId: string,
  ): Promise<{ row: HabitLogRow; created: boolean }> {
    const inserted: HabitLogRow[] = await this.dataSource.query(
      `INSERT INTO habit_logs (space_id, habit_id, day, count, created_by, last_actor)
       VALUES ($1, $2, $3, $4, $5, $5)
       ON CONFLICT (habit_id, day) DO NOTHING
       RETURNING id, habit_id, day::text AS day, count`,
      [spaceId, habitId, day, count, actorId],
    );
    if (inserted.length > 0) return { row: inserted[0], created: true };
    const existing: HabitLogRow[] = await this.dataSource.query(
      `SELECT id, habit_id, day::text AS day, count FROM habit_logs
        WHERE habit_id = $1 AND day = $2 AND space_id = $3`,
      [habitId, day, spaceId],
    );
    return { row: existing[0], created: false };
  }

  async recent(
    spaceId: string,
    from: string,
    habitId: string | undefined,
  ): Promise<Array<HabitLogRow & { title: string }>> {
    return this.dataSource.query(
      `SELECT l.id, l.habit_id, l.day::text AS day, l.count, h.title
         FROM habit_logs l JOIN habits h ON h.id = l.habit_id AND h.space_id = l.space_id
        WHERE l.space_id = $1 AND l.day >= $2 AND ($3::uuid IS NULL OR l.habit_id = $3::uuid)
        ORDER BY l.day DESC, h.position
        LIMIT 10000`,
      [spaceId, from, habitId ?? null],
    );
  }
}
