import { Inject, Injectable } from '@nestjs/common';
import { AppConfig } from '../config/app-config.js';
import { ToolRegistry } from '../tools/tool.registry.js';
import { FindingsRepository } from './findings.repository.js';
import { rate, round, roundOrNull } from './report-numbers.js';
import { ReportsRepository } from './reports.repository.js';
import type { ModuleBucketRow } from './reports.repository.js';
import { DEFAULT_LIMIT } from './reports-query.dto.js';
import type {
  Bucket,
  ModulesReportQueryDto,
  SaidVsDidQueryDto,
  ToolSortKey,
  ToolsReportQueryDto,
} from './reports-query.dto.js';
import type {
  ModulesReportDto,
  OverviewDto,
  RatingWindowDto,
  SaidVsDidReportDto,
  ToolsReportDto,
} from './reports-response.dto.js';
import { REGRESSION_RULE, REGRESSION_RULE_TEXT, detectRegression } from './regression.js';
import type { WindowStats } from './regression.js';
import { DAY_MS, bucketStarts, resolveRange } from './report-window.js';

/** How far back "coverage" looks: a user-space tool no persona called in this many days is listed. */
export const COVERAGE_DAYS = 7;

/**
 * The module, tool, said-vs-did and overview reports (ticks-report.service.ts and
 * findings-report.service.ts hold the others): resolves and bounds the parameters, runs the
 * repository's queries and maps rows to response DTOs (rounding rates to 4 decimals). `now()` is the
 * only clock, kept overridable.
 */
@Injectable()
export class ReportsService {
  constructor(
    @Inject(ReportsRepository) private readonly repo: ReportsRepository,
    @Inject(FindingsRepository) private readonly findingsRepo: FindingsRepository,
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

  async overview(): Promise<OverviewDto> {
    const now = this.now();
    const dayStart = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate()));
    const [r, openFindings, planted] = await Promise.all([
      this.repo.overview(dayStart),
      this.findingsRepo.openFindingGroups(resolveRange({}, now)),
      this.findingsRepo.plantedFaults(now),
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
