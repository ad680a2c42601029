import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The app the personas use. Every table is space-scoped (space_id, no user_id); the actor columns say
 * who wrote a row. Encrypted columns are CHECKed to hold `enc:1:` ciphertext, so plaintext can never
 * land in them by mistake.
 */
export class AppModules1763700003100 implements MigrationInterface {
  name = 'AppModules1763700003100';

  async up(q: QueryRunner): Promise<void> {
    const actors = `
        created_by uuid REFERENCES users(id) ON DELETE SET NULL,
        last_actor uuid REFERENCES users(id) ON DELETE SET NULL,
        created_at timestamptz NOT NULL DEFAULT now()`;
    const enc = (table: string, column: string, nullable: boolean) =>
      `CONSTRAINT ck_${table}_${column}_enc CHECK (${nullable ? `${column} IS NULL OR ` : ''}${column} LIKE 'enc:1:%')`;

    await q.query(`
      CREATE TABLE habits (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        space_id uuid NOT NULL REFERENCES spaces(id) ON DELETE CASCADE,
        title text NOT NULL,
        emoji text,
        color text,
        target_count integer,
        target_period text,
        position integer NOT NULL,
        archived_at timestamptz,
        ${actors},
        updated_at timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT uq_habits_id_space UNIQUE (id, space_id),
        CONSTRAINT ck_habits_title CHECK (char_length(title) BETWEEN 1 AND 100),
        CONSTRAINT ck_habits_emoji CHECK (emoji IS NULL OR char_length(emoji) BETWEEN 1 AND 16),
        CONSTRAINT ck_habits_color CHECK (color IS NULL OR color ~ '^#[0-9a-fA-F]{6}$'),
        CONSTRAINT ck_habits_target CHECK (
          (target_count IS NULL AND target_period IS NULL)
          OR (target_count BETWEEN 1 AND 100 AND target_period IN ('day', 'week'))
        ),
        CONSTRAINT ck_habits_position CHECK (position >= 1)
      )`);
    await q.query(`CREATE UNIQUE INDEX ux_habits_space_position ON habits (space_id, position)`);
    await q.query(`CREATE INDEX ix_habits_space_archived ON habits (space_id, archived_at)`);

    await q.query(`
      CREATE TABLE habit_logs (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        space_id uuid NOT NULL REFERENCES spaces(id) ON DELETE CASCADE,
        habit_id uuid NOT NULL,
        day date NOT NULL,
        count integer NOT NULL DEFAULT 1,
        ${actors},
        CONSTRAINT fk_habit_logs_habit FOREIGN KEY (habit_id, space_id)
          REFERENCES habits (id, space_id) ON DELETE CASCADE,
        CONSTRAINT uq_habit_logs_habit_day UNIQUE (habit_id, day),
        CONSTRAINT ck_habit_logs_count CHECK (count BETWEEN 1 AND 100)
      )`);
    await q.query(`CREATE INDEX ix_habit_logs_space_day ON habit_logs (space_id, day DESC)`);

    await q.query(`
      CREATE TABLE tasks (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        space_id uuid NOT NULL REFERENCES spaces(id) ON DELETE CASCADE,
        title text NOT NULL,
        description text,
        subtasks text,
        priority text NOT NULL DEFAULT 'medium',
        due_date date,
        status text NOT NULL DEFAULT 'open',
        completed_at timestamptz,
        position integer NOT NULL,
        ${actors},
        updated_at timestamptz NOT NULL DEFAULT now(),
        ${enc('tasks', 'title', false)},
        ${enc('tasks', 'description', true)},
        ${enc('tasks', 'subtasks', true)},
        CONSTRAINT ck_tasks_priority CHECK (priority IN ('low', 'medium', 'high', 'urgent')),
        CONSTRAINT ck_tasks_status CHECK (status IN ('open', 'done')),
        CONSTRAINT ck_tasks_completed CHECK ((status = 'done') = (completed_at IS NOT NULL)),
        CONSTRAINT ck_tasks_position CHECK (position >= 1)
      )`);
    await q.query(`CREATE UNIQUE INDEX ux_tasks_space_position ON tasks (space_id, position)`);
    await q.query(`CREATE INDEX ix_tasks_space_status_created ON tasks (space_id, status, created_at DESC)`);
    await q.query(`CREATE INDEX ix_tasks_space_due ON tasks (space_id, due_date)`);

    await q.query(`
      CREATE TABLE notes (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        space_id uuid NOT NULL REFERENCES spaces(id) ON DELETE CASCADE,
        title text NOT NULL,
        content text NOT NULL,
        archived_at timestamptz,
        ${actors},
        updated_at timestamptz NOT NULL DEFAULT now(),
        ${enc('notes', 'title', false)},
        ${enc('notes', 'content', false)}
      )`);
    await q.query(`CREATE INDEX ix_notes_space_created ON notes (space_id, created_at DESC)`);

    await q.query(`
      CREATE TABLE journal_entries (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        space_id uuid NOT NULL REFERENCES spaces(id) ON DELETE CASCADE,
        title text,
        content text NOT NULL,
        entry_date date NOT NULL,
        mood text,
        tags jsonb NOT NULL DEFAULT '[]'::jsonb,
        word_count integer NOT NULL DEFAULT 0,
        ${actors},
        updated_at timestamptz NOT NULL DEFAULT now(),
        ${enc('journal_entries', 'title', true)},
        ${enc('journal_entries', 'content', false)},
        CONSTRAINT ck_journal_entries_mood CHECK (mood IS NULL OR mood IN ('great', 'good', 'okay', 'low', 'bad')),
        CONSTRAINT ck_journal_entries_tags CHECK (jsonb_typeof(tags) = 'array' AND jsonb_array_length(tags) <= 10),
        CONSTRAINT ck_journal_entries_word_count CHECK (word_count >= 0)
      )`);
    await q.query(
      `CREATE INDEX ix_journal_entries_space_date ON journal_entries (space_id, entry_date DESC, created_at DESC)`,
    );

    await q.query(`
      CREATE TABLE mood_entries (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        space_id uuid NOT NULL REFERENCES spaces(id) ON DELETE CASCADE,
        level smallint NOT NULL,
        emotion text NOT NULL,
        activity text,
        notes text,
        logged_at timestamptz NOT NULL DEFAULT now(),
        ${actors},
        ${enc('mood_entries', 'notes', true)},
        CONSTRAINT ck_mood_entries_level CHECK (level BETWEEN 1 AND 10),
        CONSTRAINT ck_mood_entries_emotion CHECK (emotion IN ('happy', 'calm', 'grateful', 'excited', 'proud',
          'content', 'neutral', 'tired', 'bored', 'stressed', 'anxious', 'overwhelmed', 'frustrated', 'angry',
          'sad', 'lonely')),
        CONSTRAINT ck_mood_entries_activity CHECK (activity IS NULL OR activity IN ('work', 'study', 'exercise',
          'family', 'friends', 'rest', 'chores', 'hobby', 'commute', 'outdoors', 'screen_time', 'other'))
      )`);
    await q.query(`CREATE INDEX ix_mood_entries_space_logged ON mood_entries (space_id, logged_at DESC)`);

    await q.query(`
      CREATE TABLE calendar_events (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        space_id uuid NOT NULL REFERENCES spaces(id) ON DELETE CASCADE,
        title text NOT NULL,
        description text,
        location text,
        starts_at timestamptz NOT NULL,
        ends_at timestamptz NOT NULL,
        all_day boolean NOT NULL DEFAULT false,
        ${actors},
        updated_at timestamptz NOT NULL DEFAULT now(),
        ${enc('calendar_events', 'title', false)},
        ${enc('calendar_events', 'description', true)},
        ${enc('calendar_events', 'location', true)},
        CONSTRAINT ck_calendar_events_range CHECK (ends_at >= starts_at AND ends_at - starts_at <= interval '366 days')
      )`);
    await q.query(`CREATE INDEX ix_calendar_events_space_starts ON calendar_events (space_id, starts_at)`);

    await q.query(`
      CREATE TABLE contacts (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        space_id uuid NOT NULL REFERENCES spaces(id) ON DELETE CASCADE,
        name text NOT NULL,
        email text,
        phone text,
        notes text,
        ${actors},
        updated_at timestamptz NOT NULL DEFAULT now(),
        ${enc('contacts', 'name', false)},
        ${enc('contacts', 'email', true)},
        ${enc('contacts', 'phone', true)},
        ${enc('contacts', 'notes', true)}
      )`);
    await q.query(`CREATE INDEX ix_contacts_space_created ON contacts (space_id, created_at DESC)`);
  }

  async down(q: QueryRunner): Promise<void> {
    for (const table of [
      'contacts',
      'calendar_events',
      'mood_entries',
      'journal_entries',
      'notes',
      'tasks',
      'habit_logs',
      'habits',
    ]) {
      await q.query(`DROP TABLE ${table}`);
    }
  }
}
