import { Inject, Injectable } from '@nestjs/common';
import { AppConfig } from '../config/app-config.js';
import { ToolRegistry } from '../tools/tool.registry.js';
import { ReportsRepository, MAX_TICK_ACTIONS } from './reports.repository.js';
import type { FindingGroupRow, ModuleBucketRow, TickRow } from './reports.repository.js';
import { DEFAULT_LIMIT } from './reports-query.dto.js';
import type {
  Bucket,
  FindingSortKey,
  FindingsReportQueryDto,
  ModulesReportQueryDto,
  SaidVsDidQueryDto,
  TicksQueryDto,
  ToolSortKey,
  ToolsReportQueryDto,
} from './reports-query.dto.js';
import type {
  FindingGroupDto,
  FindingsReportDto,
  ModulesReportDto,
  OverviewDto,
  RatingWindowDto,
  SaidVsDidReportDto,
  TickDetailDto,
  TickSummaryDto,
  TicksPageDto,
  ToolsReportDto,
} from './reports-response.dto.js';
import { REGRESSION_RULE, REGRESSION_RULE_TEXT, detectRegression } from './regression.js';
import type { WindowStats } from './regression.js';
import { defectSignatures } from './defect-signatures.js';
import {
  DAY_MS,
  bucketStarts,
  decodeTickCursor,
  encodeTickCursor,
  resolveOpenRange,
  resolveRange,
} from './report-window.js';
import { ReportErrorCode, ReportException } from './reports.exception.js';

/** How far back "coverage" looks: a user-space tool no persona called in this many days is listed. */
export const COVERAGE_DAYS = 7;

/**
 * The report API's logic: resolves and bounds the parameters, runs the repository's queries and maps
 * rows to response DTOs (rounding rates to 4 decimals). `now()` is the only clock, kept overridable.
 */
@Injectable()
export class ReportsService {
  constructor(
    @Inject(ReportsRepository) private readonly repo: ReportsRepository,
    @Inject(ToolRegistry) private readonly registry: ToolRegistry,
    @Inject(AppConfig) private readonly config: AppConfig,
  ) {}

  protected now(): Date {
    return new Date();
  }

  async modules(query: ModulesReportQueryDto): Promise<ModulesReportDto> {
    const range = resolveRange(query, this.now());
    const bucket: Bucket = query.bucket ?? 'week';
    const limit = query.limit ?? DEFAULT_LIMIT;
    const recentFrom = new Date(range.to.getTime() - REGRESSION_RULE.recentDays * DAY_MS);
    const beforeFrom = new Date(recentFrom.getTime() - REGRESSION_RULE.beforeDays * DAY_MS);

    const rows = await this.repo.modulePage(range, bucket, beforeFrom, query.cursor, limit + 1);
    const names = [...new Set(rows.map((r) => r.module))];
    const modules = names.slice(0, limit);
    const windows = await this.repo.moduleWindows(modules, beforeFrom, recentFrom, range.to);
    const windowOf = new Map(windows.map((w) => [w.module, w]));
    const cellsOf = new Map<string, Array<ModuleBucketRow & { bucket: string }>>();
    for (const row of rows) {
      if (row.bucket === null) continue;
      const cells = cellsOf.get(row.module) ?? [];
      cells.push({ ...row, bucket: row.bucket });
      cellsOf.set(row.module, cells);
    }
    const window = (from: Date, to: Date, stats: WindowStats): RatingWindowDto => ({
      from: from.toISOString(),
      to: to.toISOString(),
      count: stats.count,
      avg: stats.avg === null ? null : round(stats.avg),
    });

    return {
      bucket,
      from: range.from.toISOString(),
      to: range.to.toISOString(),
      bucketStarts: bucketStarts(range.from, range.to, bucket),
      regressionRule: REGRESSION_RULE_TEXT,
      items: modules.map((module) => {
        const w = windowOf.get(module);
        const last7: WindowStats = {
          count: w?.last_count ?? 0,
          avg: w?.last_avg ?? null,
          variance: w?.last_var ?? null,
        };
        const prev21: WindowStats = {
          count: w?.prev_count ?? 0,
          avg: w?.prev_avg ?? null,
          variance: w?.prev_var ?? null,
        };
        const verdict = detectRegression(last7, prev21);
        return {
          module,
          buckets: (cellsOf.get(module) ?? []).map((b) => ({
            start: b.bucket,
            avgRating: b.avg_rating === null ? null : round(b.avg_rating),
            ratingCount: b.rating_count,
            toolCalls: b.tool_calls,
            errors: b.errors,
            errorRate: rate(b.errors, b.tool_calls),
          })),
          regression: {
            regressed: verdict.regressed,
            reason: verdict.reason,
            last7: window(recentFrom, range.to, last7),
            prev21: window(beforeFrom, recentFrom, prev21),
            drop: verdict.drop,
            t: verdict.t,
          },
        };
      }),
      nextCursor: names.length > limit ? modules[modules.length - 1] : null,
    };
  }

  async tools(query: ToolsReportQueryDto): Promise<ToolsReportDto> {
    const now = this.now();
    const range = resolveRange(query, now);
    const sort = query.sort ?? '-calls';
    const descending = sort.startsWith('-');
    const key = (descending ? sort.slice(1) : sort) as ToolSortKey;
    const limit = query.limit ?? DEFAULT_LIMIT;
    const offset = query.offset ?? 0;
    const since = new Date(now.getTime() - COVERAGE_DAYS * DAY_MS);
    const userSpace = this.registry.list().filter((t) => t.options.scope === 'user-space');
    const [rows, uncalled] = await Promise.all([
      this.repo.tools(range, key, descending, limit, offset),
      this.repo.uncalledTools(
        userSpace.map((t) => t.options.name),
        since,
      ),
    ]);
    const moduleOf = new Map(userSpace.map((t) => [t.options.name, t.options.module]));
    return {
      from: range.from.toISOString(),
      to: range.to.toISOString(),
      sort,
      offset,
      total: rows[0]?.total ?? (offset > 0 ? await this.countTools(range) : 0),
      items: rows.map((r) => ({
        tool: r.tool_name,
        module: r.module,
        calls: r.calls,
        errors: r.errors,
        errorRate: rate(r.errors, r.calls),
        errorsByKind: {
          protocol: r.protocol_errors,
          tool: r.tool_errors,
          timeout: r.timeout_errors,
          unknown_tool: r.unknown_tool_errors,
        },
        errorRateByKind: {
          protocol: rate(r.protocol_errors, r.calls) ?? 0,
          tool: rate(r.tool_errors, r.calls) ?? 0,
          timeout: rate(r.timeout_errors, r.calls) ?? 0,
          unknown_tool: rate(r.unknown_tool_errors, r.calls) ?? 0,
        },
        latencyMs: { p50: roundOrNull(r.p50), p95: roundOrNull(r.p95), p99: roundOrNull(r.p99) },
        lastError: r.last_error_at
          ? { message: r.last_error_message, kind: r.last_error_kind, at: r.last_error_at.toISOString() }
          : null,
      })),
      coverage: {
        since: since.toISOString(),
        userSpaceTools: userSpace.length,
        uncalled: uncalled.map((tool) => ({ tool, module: moduleOf.get(tool) ?? '' })),
      },
    };
  }

  /** The number of tools in the range, for a page past the end (where the window count is absent). */
  private async countTools(range: { from: Date; to: Date }): Promise<number> {
    const rows = await this.repo.tools(range, 'tool', false, 1, 0);
    return rows[0]?.total ?? 0;
  }

  async saidVsDid(query: SaidVsDidQueryDto): Promise<SaidVsDidReportDto> {
    const range = resolveRange(query, this.now());
    const limit = query.limit ?? DEFAULT_LIMIT;
    const offset = query.offset ?? 0;
    const rows = await this.repo.saidVsDid(range, query.persona, query.flagged ?? false, limit, offset);
    let total = rows[0]?.total ?? 0;
    if (rows.length === 0 && offset > 0) {
      total = (await this.repo.saidVsDid(range, query.persona, query.flagged ?? false, 1, 0))[0]?.total ?? 0;
    }
    return {
      from: range.from.toISOString(),
      to: range.to.toISOString(),
      offset,
      total,
      items: rows.map((r) => ({
        personaId: r.persona_id,
        email: r.email,
        name: r.name,
        module: r.module,
        ratings: r.ratings,
        avgRating: round(r.avg_rating),
        calls: r.calls,
        errors: r.errors,
        errorRate: rate(r.errors, r.calls),
        personaMistakes: r.mistakes,
        flags: {
          ratedHighButFailing: r.rated_high_but_failing,
          ratedLowWithoutCause: r.rated_low_without_cause,
        },
        flaggedTicks: (r.flagged_ticks ?? []).map((f) => ({
          tickId: f.tick_id,
          flag: f.flag,
          rating: f.rating,
          calls: f.calls,
          errors: f.errors,
          at: f.at,
        })),
      })),
    };
  }

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
    return {
      ...toTickSummary(row),
      actions: actions.slice(0, MAX_TICK_ACTIONS).map((a) => ({
        seq: a.seq,
        tool: a.tool_name,
        module: a.module,
        result: a.result,
        errorKind: a.error_kind,
        errorMessage: a.error_message,
        latencyMs: a.latency_ms,
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

  async findings(query: FindingsReportQueryDto): Promise<FindingsReportDto> {
    const range = resolveRange(query, this.now());
    const sort = query.sort ?? '-lastSeen';
    const descending = sort.startsWith('-');
    const offset = query.offset ?? 0;
    const filter = {
      range,
      personaMistakes: query.personaMistakes ?? false,
      module: query.module,
      findingClass: query.class,
      state: query.state,
      sort: (descending ? sort.slice(1) : sort) as FindingSortKey,
      descending,
      limit: query.limit ?? DEFAULT_LIMIT,
      offset,
    };
    const catalog = defectSignatures();
    const rows = await this.repo.findings(filter, catalog);
    let total = rows[0]?.total ?? 0;
    if (rows.length === 0 && offset > 0) {
      total = (await this.repo.findings({ ...filter, limit: 1, offset: 0 }, catalog))[0]?.total ?? 0;
    }
    return {
      from: range.from.toISOString(),
      to: range.to.toISOString(),
      sort,
      personaMistakes: filter.personaMistakes,
      offset,
      total,
      items: rows.map((r) => toFindingGroup(r)),
    };
  }

  async overview(): Promise<OverviewDto> {
    const now = this.now();
    const dayStart = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate()));
    const [r, openFindings, planted] = await Promise.all([
      this.repo.overview(dayStart),
      this.repo.openFindingGroups(resolveRange({}, now)),
      this.repo.plantedFaults(now),
    ]);
    return {
      dayStart: dayStart.toISOString(),
      personas: r.personas,
      ticksToday: r.ticks_today,
      failedTicksToday: r.failed_ticks_today,
      runningTicks: r.running_ticks,
      toolCallsToday: r.tool_calls_today,
      toolErrorsToday: r.tool_errors_today,
      errorRateToday: rate(r.tool_errors_today, r.tool_calls_today),
      costUsdToday: round(r.cost_usd_today, 6),
      tokensInToday: r.tokens_in_today,
      cacheReadTokensToday: r.cache_read_tokens_today,
      cacheWriteTokensToday: r.cache_write_tokens_today,
      uncachedInputTokensToday: Math.max(
        0,
        r.tokens_in_today - r.cache_read_tokens_today - r.cache_write_tokens_today,
      ),
      dailyBudgetUsd: this.config.dailyBudgetUsd ?? null,
      tokensOutToday: r.tokens_out_today,
      lastTickAt: r.last_tick_at ? r.last_tick_at.toISOString() : null,
      openFindings,
      plantedFaults: { count: planted.length, defects: planted.map((p) => p.defect) },
    };
  }
}

function toFindingGroup(r: FindingGroupRow): FindingGroupDto {
  return {
    module: r.module,
    tool: r.tool,
    class: r.finding_class,
    state: r.state,
    firstSeen: r.first_seen.toISOString(),
    lastSeen: r.last_seen.toISOString(),
    count: r.findings,
    ticks: r.ticks,
    personas: r.personas,
    checks: r.checks,
    samples: (r.samples ?? []).map((s) => ({
      tickId: s.tick_id,
      seq: s.seq,
      personaId: s.persona_id,
      check: s.check,
      expected: s.expected,
      got: s.got,
      source: s.source,
      createdAt: s.created_at,
    })),
    matchesPlantedFault: r.fault_id && r.defect ? { faultId: r.fault_id, defect: r.defect } : null,
  };
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

function rate(part: number, whole: number): number | null {
  return whole > 0 ? round(part / whole) : null;
}

function round(value: number, digits = 4): number {
  const f = 10 ** digits;
  return Math.round(value * f) / f;
}

function roundOrNull(value: number | null): number | null {
  return value === null ? null : round(value, 3);
}
