import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { DUE_CONDITION_SQL } from './due-rules.js';
import type {
  ClaimedPersona,
  LeasedPersona,
  ModuleMix,
  OpenedTick,
  SpendToday,
  TickCadence,
  TickFinish,
} from './persona-schedule.types.js';
import { returnedRows } from '../../database/returned-rows.js';

interface ClaimRow {
  user_id: string;
  email: string;
  archetype: string;
  system_prompt: string;
  module_mix: ModuleMix;
  tick_cadence: TickCadence;
  timezone: string;
  consecutive_failures: number;
  lease_token: string;
  claimed_at: Date;
  lease_expires_at: Date;
  target_id: string | null;
}

/** What a claim answers, for a `personas` row aliased `t` joined to its user `u`. */
const RETURNING = `
  t.user_id, u.email, t.archetype, t.system_prompt, t.module_mix, t.tick_cadence, t.timezone,
  t.consecutive_failures, t.lease_token, now() AS claimed_at, t.lease_expires_at, t.target_id`;

/**
 * The schedule's SQL on the persona tables: claims with leases, tick rows, fenced finishing.
 * Every method is one statement in its own (auto-committed) transaction: nothing here is ever held
 * open across a login, an MCP call or an LLM call.
 */
@Injectable()
export class PersonaScheduleRepository {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  /**
   * Claims up to `limit` due personas for `owner` in ONE statement, committed before any tick work.
   *
   * Why it is shaped this way:
   * - Due-ness (DUE_CONDITION_SQL: next_due_at passed, lease lapsed, a weekday in the persona's
   *   timezone for weekday personas) and lease expiry are judged by the database's `now()`, so
   *   runner hosts with skewed clocks agree on who is due and when a lease has lapsed.
   * - The inner SELECT ... FOR UPDATE SKIP LOCKED lets two instances claim at the same moment
   *   without waiting on each other and without picking the same row: a row another claimer has
   *   locked is skipped, and a row it has already claimed and committed fails the lease test when
   *   READ COMMITTED re-checks the locked row's latest version.
   * - The lease (owner + expiry) survives the statement: a crashed instance's claims simply lapse
   *   and any instance picks them up; no transaction spans the tick.
   * - A fresh `lease_token` (fencing token) per claim lets only the current holder finish the
   *   tick, so a late finisher whose lease lapsed and was taken over changes nothing.
   * - ORDER BY next_due_at NULLS FIRST serves the longest-waiting personas (never-ticked first).
   * - `exclude` keeps one firing from ticking the same persona twice.
   * - Disabled accounts (users.disabled_at) are never claimed, as GET /due never lists them; the
   *   check is a NOT EXISTS so the users row is not locked along with the persona.
   * - The remote runners' POST …/internal/claims calls this very statement: in-process and remote
   *   runners share one exactly-once guarantee. With `builtInOnly` (theirs) a persona that plays an
   *   external target is left to the in-process runners: a remote runner has no database to open the
   *   target's secrets from, and must not play the built-in app in its place.
   */
  async claimDue(
    owner: string,
    leaseMs: number,
    limit: number,
    exclude: readonly string[] = [],
    builtInOnly = false,
  ): Promise<ClaimedPersona[]> {
    if (limit <= 0) return [];
    return this.claim(
      `t.user_id IN (
         SELECT p.user_id
           FROM personas p
          WHERE ${DUE_CONDITION_SQL}
            AND NOT (p.user_id = ANY($4::uuid[]))
            AND NOT EXISTS (SELECT 1 FROM users d WHERE d.id = p.user_id AND d.disabled_at IS NOT NULL)
            AND (NOT $5::boolean OR p.target_id IS NULL)
          ORDER BY p.next_due_at NULLS FIRST, p.user_id
          LIMIT $3
            FOR UPDATE SKIP LOCKED)`,
      [owner, leaseMs, limit, exclude, builtInOnly],
    );
  }

  /**
   * Claims one persona now, due or not (admin "run now"), with the same lease rules: a persona
   * whose lease is live answers 'leased'; an unknown id answers 'missing'.
   */
  async claimOne(
    owner: string,
    leaseMs: number,
    personaId: string,
  ): Promise<ClaimedPersona | 'leased' | 'missing'> {
    const claimed = await this.claim(
      `t.user_id = $3 AND (t.lease_expires_at IS NULL OR t.lease_expires_at < now())`,
      [owner, leaseMs, personaId],
    );
    if (claimed.length > 0) return claimed[0];
    const exists = returnedRows(
      (await this.dataSource.query(`SELECT 1 FROM personas WHERE user_id = $1`, [personaId])) as unknown[],
    );
    return exists.length > 0 ? 'leased' : 'missing';
  }

  /**
   * The one claim statement: leases the `personas` rows `t` that `condition` picks to owner $1 for $2
   * milliseconds past the database's now(), each with a fresh fencing token. Why the conditions are
   * shaped as they are: see claimDue.
   */
  private async claim(condition: string, params: unknown[]): Promise<ClaimedPersona[]> {
    const rows = (await this.dataSource.query(
      `UPDATE personas t
          SET lease_owner = $1,
              lease_expires_at = now() + $2::double precision * interval '1 millisecond',
              lease_token = gen_random_uuid(),
              updated_at = now()
         FROM users u
        WHERE u.id = t.user_id
          AND ${condition}
        RETURNING ${RETURNING}`,
      params,
    )) as [ClaimRow[], number] | ClaimRow[];
    return returnedRows(rows).map(toClaim);
  }

  /**
   * Opens the tick row, fenced: only while this claim's token is still the persona's. Running
   * ticks of the persona under an older token belong to a runner whose lease lapsed (it crashed
   * or froze); they are closed as failed here, so a late finisher finds nothing to overwrite.
   */
  async beginTick(claim: ClaimedPersona, brain: string, model: string | null): Promise<OpenedTick | null> {
    const rows = (await this.dataSource.query(
      `WITH holder AS (
              SELECT user_id FROM personas WHERE user_id = $1 AND lease_token = $2
            ),
            stale AS (
              UPDATE persona_ticks
                 SET status = 'failed', finished_at = now(),
                     error = 'lease expired: the runner holding this tick stopped answering and another took the persona over'
               WHERE persona_id = $1 AND status = 'running'
                 AND lease_token IS DISTINCT FROM $2
                 AND EXISTS (SELECT 1 FROM holder)
              RETURNING id
            )
       INSERT INTO persona_ticks (persona_id, status, brain, model, lease_token)
       SELECT user_id, 'running', $3, $4, $2 FROM holder
       RETURNING id, started_at`,
      [claim.userId, claim.leaseToken, brain, model],
    )) as Array<{ id: string; started_at: Date }>;
    const opened = returnedRows(rows);
    return opened.length > 0 ? { tickId: opened[0].id, startedAt: opened[0].started_at } : null;
  }

  /** The database's clock (due rules and backoff are computed from it, never from this host's). */
  async now(): Promise<Date> {
    const rows = (await this.dataSource.query(`SELECT now() AS now`)) as Array<{ now: Date }>;
    return rows[0].now;
  }

  /**
   * Ends the tick and releases the lease in ONE statement, fenced by the lease token on both rows:
   * if another runner has taken the persona over (new token), neither the persona's schedule nor
   * the tick row changes and this answers false.
   */
  async finishTick(f: TickFinish): Promise<boolean> {
    const rows = (await this.dataSource.query(
      `WITH persona AS (
              UPDATE personas
                 SET next_due_at = CASE WHEN $3::boolean THEN $4::timestamptz ELSE next_due_at END,
                     consecutive_failures = CASE WHEN $3::boolean THEN $5::integer ELSE consecutive_failures END,
                     last_active_at = CASE WHEN $6::boolean THEN now() ELSE last_active_at END,
                     lease_owner = NULL, lease_expires_at = NULL, lease_token = NULL,
                     updated_at = now()
               WHERE user_id = $1 AND lease_token = $2
              RETURNING user_id
            )
       UPDATE persona_ticks
          SET status = $8, finished_at = now(), tool_calls = $9, tokens_in = $10, tokens_out = $11,
              cost_usd = $12, error = $13, rating_error = $14,
              cache_read_tokens = $15, cache_write_tokens = $16, words = $17::jsonb
        WHERE id = $7 AND lease_token = $2 AND status = 'running'
          AND EXISTS (SELECT 1 FROM persona)
       RETURNING id`,
      [
        f.personaId,
        f.leaseToken,
        f.schedule !== undefined,
        f.schedule?.nextDueAt ?? null,
        f.schedule?.consecutiveFailures ?? 0,
        f.active,
        f.tickId,
        f.status,
        f.toolCalls,
        f.tokensIn,
        f.tokensOut,
        f.costUsd.toFixed(6),
        f.error,
        f.ratingError,
        f.cacheReadTokens ?? 0,
        f.cacheWriteTokens ?? 0,
        f.words && f.words.length > 0 ? JSON.stringify(f.words) : null,
      ],
    )) as [unknown[], number] | unknown[];
    return returnedRows(rows).length > 0;
  }

  /**
   * LLM spend of all personas since UTC midnight by the database's clock (DAILY_BUDGET_USD).
   * Shape: one range scan of ix_persona_ticks_started; a tick counts on the day it started, and a
   * running tick counts once it is finished (its cost is written by the finish).
   */
  async spendToday(): Promise<SpendToday> {
    const rows = (await this.dataSource.query(
      `WITH day AS (SELECT date_trunc('day', now() AT TIME ZONE 'UTC') AT TIME ZONE 'UTC' AS start)
       SELECT coalesce(sum(t.cost_usd), 0)::float8 AS spent, day.start AS day_start,
              day.start + interval '1 day' AS next_day, now() AS now
         FROM day LEFT JOIN persona_ticks t ON t.started_at >= day.start
        GROUP BY day.start`,
    )) as Array<{ spent: number; day_start: Date; next_day: Date; now: Date }>;
    const row = rows[0];
    return {
      spentUsd: Number(row.spent),
      dayStart: new Date(row.day_start),
      nextDayAt: new Date(row.next_day),
      now: new Date(row.now),
    };
  }

  /**
   * The heartbeat: pushes the lease of a running tick `leaseMs` past the database's now(), only
   * while `leaseToken` is still the persona's and the tick is still running under it. Null when the
   * lease was taken over, released or the tick finished (nothing changes then).
   */
  async extendLease(tickId: string, leaseToken: string, leaseMs: number): Promise<Date | null> {
    const rows = (await this.dataSource.query(
      `UPDATE personas p
          SET lease_expires_at = now() + $3::double precision * interval '1 millisecond', updated_at = now()
         FROM persona_ticks k
        WHERE k.id = $1 AND k.lease_token = $2 AND k.status = 'running'
          AND p.user_id = k.persona_id AND p.lease_token = $2
        RETURNING p.lease_expires_at`,
      [tickId, leaseToken, leaseMs],
    )) as [Array<{ lease_expires_at: Date }>, number] | Array<{ lease_expires_at: Date }>;
    const updated = returnedRows(rows);
    return updated.length > 0 ? new Date(updated[0].lease_expires_at) : null;
  }

  /**
   * The persona behind a running tick, while `leaseToken` is still its lease: what a fenced finish
   * needs to compute the next due time. Null when the token is stale or wrong.
   */
  async leasedTick(tickId: string, leaseToken: string): Promise<LeasedPersona | null> {
    const rows = (await this.dataSource.query(
      `SELECT p.user_id, p.tick_cadence, p.timezone, p.consecutive_failures, p.lease_token
         FROM persona_ticks k JOIN personas p ON p.user_id = k.persona_id
        WHERE k.id = $1 AND k.lease_token = $2 AND k.status = 'running' AND p.lease_token = $2`,
      [tickId, leaseToken],
    )) as Array<
      Pick<ClaimRow, 'user_id' | 'tick_cadence' | 'timezone' | 'consecutive_failures' | 'lease_token'>
    >;
    const row = returnedRows(rows)[0];
    if (!row) return null;
    return {
      userId: row.user_id,
      cadence: row.tick_cadence,
      timezone: row.timezone,
      consecutiveFailures: Number(row.consecutive_failures),
      leaseToken: row.lease_token,
    };
  }

  /**
   * A finish already written under `leaseToken` with this very outcome (its answer was lost and the
   * runner sent it again): the persona's next due time as that finish left it, or undefined when the
   * tick is not finished under this token with these figures and errors (then a repeat is refused as
   * stale: a tick another runner took over was closed as failed with the takeover's own error).
   * Shape: one row by the tick's primary key; persona_ticks.lease_token stays after the finish.
   */
  async finishedUnderLease(
    f: Omit<TickFinish, 'personaId' | 'schedule' | 'active'>,
  ): Promise<{ nextDueAt: Date | null } | undefined> {
    const rows = (await this.dataSource.query(
      `SELECT p.next_due_at
         FROM persona_ticks k JOIN personas p ON p.user_id = k.persona_id
        WHERE k.id = $1 AND k.lease_token = $2 AND k.status = $3 AND k.tool_calls = $4
          AND k.tokens_in = $5 AND k.tokens_out = $6 AND k.cost_usd = $7::numeric
          AND k.cache_read_tokens = $8 AND k.cache_write_tokens = $9
          AND k.error IS NOT DISTINCT FROM $10::text AND k.rating_error IS NOT DISTINCT FROM $11::text`,
      [
        f.tickId,
        f.leaseToken,
        f.status,
        f.toolCalls,
        f.tokensIn,
        f.tokensOut,
        f.costUsd.toFixed(6),
        f.cacheReadTokens ?? 0,
        f.cacheWriteTokens ?? 0,
        f.error,
        f.ratingError,
      ],
    )) as Array<{ next_due_at: Date | null }>;
    const row = rows[0];
    return row ? { nextDueAt: row.next_due_at ? new Date(row.next_due_at) : null } : undefined;
  }

  /** Gives a claim back without a tick (nothing was started): the persona stays due as it was. */
  async release(personaId: string, leaseToken: string): Promise<void> {
    await this.dataSource.query(
      `UPDATE personas SET lease_owner = NULL, lease_expires_at = NULL, lease_token = NULL, updated_at = now()
        WHERE user_id = $1 AND lease_token = $2`,
      [personaId, leaseToken],
    );
  }
}

function toClaim(row: ClaimRow): ClaimedPersona {
  return {
    userId: row.user_id,
    email: row.email,
    archetype: row.archetype,
    systemPrompt: row.system_prompt,
    moduleMix: row.module_mix,
    cadence: row.tick_cadence,
    timezone: row.timezone,
    consecutiveFailures: Number(row.consecutive_failures),
    leaseToken: row.lease_token,
    claimedAt: new Date(row.claimed_at),
    leaseExpiresAt: new Date(row.lease_expires_at),
    targetId: row.target_id,
  };
}
