import { randomUUID } from 'node:crypto';
import { PersonaScheduleService } from '../../src/personas/schedule/persona-schedule.service.js';
import type { TestApp } from './test-app.js';

/*
 * Leases for tests that write audit rows through the internal API: every write is fenced by the
 * lease token of a tick running under the persona's current lease (409 otherwise).
 */

/** A real tick of `personaId` under a fresh lease (any earlier lease of the persona is let go first). */
export async function leaseTick(
  t: TestApp,
  personaId: string,
): Promise<{ tickId: string; leaseToken: string }> {
  await t.dataSource.query(
    `UPDATE personas SET lease_expires_at = now() - interval '1 second' WHERE user_id = $1 AND lease_token IS NOT NULL`,
    [personaId],
  );
  const schedule = t.app.get(PersonaScheduleService);
  const claim = await schedule.claimOne('test-lease', 600_000, personaId);
  if (typeof claim === 'string') throw new Error(`could not lease persona ${personaId}: ${claim}`);
  const opened = await schedule.beginTick(claim, 'scripted', null);
  if (!opened) throw new Error(`could not open a tick for persona ${personaId}`);
  return { tickId: opened.tickId, leaseToken: claim.leaseToken };
}

/**
 * Runs `write` as if a runner still held these history ticks (made by insertTick or a finished run):
 * puts them and the persona under one fresh lease, then restores their status and frees the lease.
 * Raw SQL for the same reason as persona-rows.ts: no API can reopen a finished tick.
 */
export async function underLease<T>(
  t: TestApp,
  personaId: string,
  tickIds: string[],
  write: (leaseToken: string) => Promise<T>,
): Promise<T> {
  const leaseToken = randomUUID();
  const before: Array<{ id: string; status: string; lease_token: string | null }> = await t.dataSource.query(
    `SELECT id, status, lease_token FROM persona_ticks WHERE id = ANY($1::uuid[])`,
    [tickIds],
  );
  await t.dataSource.query(
    `UPDATE personas SET lease_owner = 'test-lease', lease_token = $2,
            lease_expires_at = now() + interval '10 minutes' WHERE user_id = $1`,
    [personaId, leaseToken],
  );
  await t.dataSource.query(
    `UPDATE persona_ticks SET status = 'running', lease_token = $2 WHERE id = ANY($1::uuid[])`,
    [tickIds, leaseToken],
  );
  try {
    return await write(leaseToken);
  } finally {
    for (const row of before) {
      await t.dataSource.query(`UPDATE persona_ticks SET status = $2, lease_token = $3 WHERE id = $1`, [
        row.id,
        row.status,
        row.lease_token,
      ]);
    }
    await t.dataSource.query(
      `UPDATE personas SET lease_owner = NULL, lease_token = NULL, lease_expires_at = NULL
        WHERE user_id = $1 AND lease_token = $2`,
      [personaId, leaseToken],
    );
  }
}

/**
 * The lease tokens of the ticks a suite opened with leaseTick, for suites that post audit rows to the
 * internal API: `sign(body)` adds the token its rows are fenced by unless the body carries one.
 */
export class TickLeases {
  private readonly tokens = new Map<string, string>();
  private last = '';

  /** Opens a tick of `personaId` under a fresh lease (leaseTick) and keeps its token; answers the tick id. */
  async open(t: TestApp, personaId: string): Promise<string> {
    const { tickId, leaseToken } = await leaseTick(t, personaId);
    this.tokens.set(tickId, leaseToken);
    this.last = leaseToken;
    return tickId;
  }

  /**
   * `body` with the lease token of the tick its first row names (of `actions`, else `feedback`, else
   * `findings`), or of the last opened tick; a body that is no object, or has a leaseToken, as it is.
   */
  sign(body: unknown): unknown {
    if (typeof body !== 'object' || body === null || 'leaseToken' in body) return body;
    const { actions, feedback, findings } = body as Record<string, unknown>;
    const rows = [actions, feedback, findings].find((r): r is unknown[] => Array.isArray(r)) ?? [];
    const tick = (rows[0] as { tickId?: string } | null | undefined)?.tickId;
    return { leaseToken: (tick && this.tokens.get(tick)) || this.last, ...body };
  }
}
