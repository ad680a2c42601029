import { randomUUID } from 'node:crypto';
import type { TestApp } from './test-app.js';

/*
 * Tick, action, feedback and finding rows of a persona's history, written straight into the tables.
 *
 * Why raw SQL: these fixtures are history no API can write: ticks only come from the runner (run
 * through a brain, stamped "now"), and the internal audit API stamps actions and ratings with the
 * server's clock. Reports and admin figures need backdated, hand-computed rows (a failed tick two
 * weeks ago, a latency of exactly 40 ms), so the rows are inserted here, in one place. A test that
 * only needs "a tick happened" should run a real one instead (the runner's run-now endpoint).
 */

/** A moment: a Date, or an interval before the database's clock (`{ ago: '6 days 23 hours' }`). */
export type Moment = Date | { ago: string };

const moment = (m: Moment | null | undefined): [Date | null, string | null] =>
  m instanceof Date ? [m, null] : [null, m?.ago ?? null];

export interface TickRow {
  id?: string;
  status?: 'running' | 'ok' | 'failed' | 'timed_out';
  brain?: string;
  model?: string | null;
  /** Defaults to the database's now(). */
  startedAt?: Moment;
  /** Defaults to NULL (not finished). */
  finishedAt?: Moment | null;
  toolCalls?: number;
  tokensIn?: number;
  tokensOut?: number;
  costUsd?: number;
  error?: string | null;
}

/** Inserts one `persona_ticks` row and returns its id. */
export async function insertTick(t: TestApp, personaId: string, row: TickRow = {}): Promise<string> {
  const id = row.id ?? randomUUID();
  await t.dataSource.query(
    `INSERT INTO persona_ticks (id, persona_id, status, brain, model, started_at, finished_at,
                                tool_calls, tokens_in, tokens_out, cost_usd, error)
     VALUES ($1, $2, $3, $4, $5, COALESCE($6::timestamptz, now() - $7::interval, now()),
             COALESCE($8::timestamptz, now() - $9::interval), $10, $11, $12, $13, $14)`,
    [
      id,
      personaId,
      row.status ?? 'ok',
      row.brain ?? 'scripted',
      row.model ?? null,
      ...moment(row.startedAt),
      ...moment(row.finishedAt),
      row.toolCalls ?? 0,
      row.tokensIn ?? 0,
      row.tokensOut ?? 0,
      row.costUsd ?? 0,
      row.error ?? null,
    ],
  );
  return id;
}

export interface ActionRow {
  seq: number;
  /** `module.verb`; the module defaults to the part before the dot. */
  tool: string;
  /** Defaults to `<tickId>-<seq>-<tool>`, the id the audit API gives an action. */
  id?: string;
  module?: string;
  inputHash?: string | null;
  result?: 'ok' | 'error';
  errorKind?: 'protocol' | 'tool' | 'timeout' | null;
  errorMessage?: string | null;
  latencyMs?: number | null;
  /** Defaults to the database's now(). */
  createdAt?: Moment;
}

/** Inserts one `persona_actions` row (tick_id has no foreign key: the tick need not exist). */
export async function insertAction(
  t: TestApp,
  personaId: string,
  tickId: string,
  row: ActionRow,
): Promise<string> {
  const id = row.id ?? `${tickId}-${row.seq}-${row.tool}`;
  await t.dataSource.query(
    `INSERT INTO persona_actions (id, persona_id, tick_id, seq, tool_name, module, input_hash, result,
                                  error_kind, error_message, latency_ms, created_at)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11,
             COALESCE($12::timestamptz, now() - $13::interval, now()))`,
    [
      id,
      personaId,
      tickId,
      row.seq,
      row.tool,
      row.module ?? row.tool.split('.')[0],
      row.inputHash ?? null,
      row.result ?? (row.errorKind ? 'error' : 'ok'),
      row.errorKind ?? null,
      row.errorMessage ?? null,
      row.latencyMs ?? null,
      ...moment(row.createdAt),
    ],
  );
  return id;
}

export interface FeedbackRow {
  module: string;
  rating: number;
  notes?: string | null;
  /** Defaults to `<tickId>-<module>`, the id the audit API gives a rating. */
  id?: string;
  /** Defaults to the database's now(). */
  createdAt?: Moment;
}

/** Inserts one `persona_feedback` row (one rating of a module per tick). */
export async function insertFeedback(
  t: TestApp,
  personaId: string,
  tickId: string,
  row: FeedbackRow,
): Promise<string> {
  const id = row.id ?? `${tickId}-${row.module}`;
  await t.dataSource.query(
    `INSERT INTO persona_feedback (id, persona_id, tick_id, module, rating, notes, created_at)
     VALUES ($1, $2, $3, $4, $5, $6, COALESCE($7::timestamptz, now() - $8::interval, now()))`,
    [id, personaId, tickId, row.module, row.rating, row.notes ?? null, ...moment(row.createdAt)],
  );
  return id;
}

export interface FindingRow {
  seq: number | null;
  tool: string;
  module?: string;
  class?: 'error' | 'slow' | 'wrong_result' | 'lost_write' | 'contract' | 'confusing';
  check?: string;
  source?: 'oracle' | 'llm' | 'call';
  personaMistake?: boolean;
  createdAt?: Moment;
}

/** Inserts one `persona_findings` row (backdatable, like the others) and returns its id. */
export async function insertFinding(
  t: TestApp,
  personaId: string,
  tickId: string,
  row: FindingRow,
): Promise<string> {
  const check = row.check ?? 'call.failed';
  const id = `${tickId}-${row.seq ?? 'none'}-${check}`;
  await t.dataSource.query(
    `INSERT INTO persona_findings (id, persona_id, tick_id, seq, module, tool, class, check_name, expected,
                                   got, source, persona_mistake, created_at)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, 'a successful answer', 'Invalid input', $9, $10,
             COALESCE($11::timestamptz, now() - $12::interval, now()))`,
    [
      id,
      personaId,
      tickId,
      row.seq,
      row.module ?? row.tool.split('.')[0],
      row.tool,
      row.class ?? 'error',
      check,
      row.source ?? 'call',
      row.personaMistake ?? false,
      ...moment(row.createdAt),
    ],
  );
  return id;
}
