import { Inject, Injectable } from '@nestjs/common';
import { TrajectoryCipher } from '../personas/audit/trajectory-cipher.service.js';
import { DEFAULT_LIMIT } from './reports-query.dto.js';
import type { TicksQueryDto } from './reports-query.dto.js';
import type { TickDetailDto, TickSummaryDto, TicksPageDto } from './reports-response.dto.js';
import { decodeTickCursor, encodeTickCursor, resolveOpenRange } from './report-window.js';
import { round } from './report-numbers.js';
import { ReportErrorCode, ReportException } from './reports.exception.js';
import { MAX_TICK_ACTIONS, TicksRepository } from './ticks.repository.js';
import type { TickRow } from './ticks.repository.js';

/** The tick timeline and one tick's detail (its calls, ratings and findings). */
@Injectable()
export class TicksReportService {
  constructor(
    @Inject(TicksRepository) private readonly repo: TicksRepository,
    @Inject(TrajectoryCipher) private readonly trajectory: TrajectoryCipher,
  ) {}

  async ticks(query: TicksQueryDto): Promise<TicksPageDto> {
    const { from, to } = resolveOpenRange(query);
    const limit = query.limit ?? DEFAULT_LIMIT;
    const cursor = query.cursor !== undefined ? decodeTickCursor(query.cursor) : undefined;
    const rows = await this.repo.ticks({
      persona: query.persona,
      status: query.status,
      from,
      to,
      cursor,
      limit,
    });
    const page = rows.slice(0, limit);
    const last = page[page.length - 1];
    return {
      items: page.map((r) => toTickSummary(r)),
      nextCursor:
        rows.length > limit && last ? encodeTickCursor({ startedAt: last.started_key, id: last.id }) : null,
    };
  }

  async tick(id: string): Promise<TickDetailDto> {
    const row = await this.repo.tick(id);
    if (!row) throw new ReportException(ReportErrorCode.TICK_NOT_FOUND, 'Tick not found');
    const [actions, feedback, findings] = await Promise.all([
      this.repo.tickActions(id),
      this.repo.tickFeedback(id),
      this.repo.tickFindings(id),
    ]);
    const shown = actions.slice(0, MAX_TICK_ACTIONS);
    // what the calls sent and got back, decrypted for this view only (null when pruned or unreadable)
    const kept = await this.trajectory.open(row.persona_id, shown);
    return {
      ...toTickSummary(row),
      words: row.words ?? [],
      actions: shown.map((a) => ({
        seq: a.seq,
        tool: a.tool_name,
        module: a.module,
        result: a.result,
        errorKind: a.error_kind,
        errorMessage: a.error_message,
        latencyMs: a.latency_ms,
        origin: a.origin,
        input: kept.get(a.id)?.input ?? null,
        output: kept.get(a.id)?.output ?? null,
        inputTruncated: a.input_truncated,
        outputTruncated: a.output_truncated,
        createdAt: a.created_at.toISOString(),
      })),
      actionsTruncated: actions.length > MAX_TICK_ACTIONS,
      ratings: feedback.map((f) => ({
        module: f.module,
        rating: f.rating,
        notes: f.notes,
        createdAt: f.created_at.toISOString(),
      })),
      findings: findings.map((f) => ({
        seq: f.seq,
        module: f.module,
        tool: f.tool,
        class: f.class,
        check: f.check_name,
        expected: f.expected,
        got: f.got,
        source: f.source,
        personaMistake: f.persona_mistake,
        createdAt: f.created_at.toISOString(),
      })),
    };
  }
}

function toTickSummary(r: TickRow): TickSummaryDto {
  return {
    id: r.id,
    personaId: r.persona_id,
    personaEmail: r.email,
    personaName: r.name,
    status: r.status,
    brain: r.brain,
    model: r.model,
    startedAt: r.started_at.toISOString(),
    finishedAt: r.finished_at ? r.finished_at.toISOString() : null,
    durationMs: r.finished_at ? r.finished_at.getTime() - r.started_at.getTime() : null,
    toolCalls: r.tool_calls,
    errorCount: r.error_count,
    ratingCount: r.rating_count,
    avgRating: r.avg_rating === null ? null : round(r.avg_rating),
    tokensIn: r.tokens_in,
    tokensOut: r.tokens_out,
    costUsd: round(r.cost_usd, 6),
    error: r.error,
    ratingError: r.rating_error,
  };
}
