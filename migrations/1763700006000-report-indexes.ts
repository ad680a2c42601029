import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Indexes for the report queries (src/reports/reports.repository.ts), measured by bench/reports.bench.ts
 * (10,000 ticks, 300,000 actions). The covering ones (INCLUDE) let the aggregates run as index-only
 * scans of their time range, without visiting the append-only tables' heap:
 * - actions by time with everything the modules report, the tools report (calls, errors by kind,
 *   latency percentiles) and the overview aggregate;
 * - the newest error of a tool: a partial index, so the lookup skips ok calls;
 * - feedback by time with module and rating: modules report, regression windows, said-vs-did
 *   (feedback by tick is already served by the unique (tick_id, module) constraint's index);
 * - the tick timeline filtered by status, and the running-ticks count of the overview.
 */
export class ReportIndexes1763700006000 implements MigrationInterface {
  name = 'ReportIndexes1763700006000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(
      `CREATE INDEX ix_persona_actions_created_report ON persona_actions (created_at)
       INCLUDE (module, tool_name, result, error_kind, latency_ms)`,
    );
    await q.query(
      `CREATE INDEX ix_persona_actions_tool_error_created ON persona_actions (tool_name, created_at DESC) WHERE result = 'error'`,
    );
    await q.query(
      `CREATE INDEX ix_persona_feedback_created_report ON persona_feedback (created_at) INCLUDE (module, rating)`,
    );
    await q.query(
      `CREATE INDEX ix_persona_ticks_status_started ON persona_ticks (status, started_at DESC, id DESC)`,
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX ix_persona_ticks_status_started`);
    await q.query(`DROP INDEX ix_persona_feedback_created_report`);
    await q.query(`DROP INDEX ix_persona_actions_tool_error_created`);
    await q.query(`DROP INDEX ix_persona_actions_created_report`);
  }
}
