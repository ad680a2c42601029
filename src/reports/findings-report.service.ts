import { Inject, Injectable } from '@nestjs/common';
import { defectSignatures } from './defect-signatures.js';
import { findingsCsv } from './findings-csv.js';
import type { FindingsCsvFile } from './findings-csv.js';
import { FindingsRepository } from './findings.repository.js';
import type { FindingGroupRow } from './findings.repository.js';
import { DEFAULT_LIMIT } from './reports-query.dto.js';
import type { FindingSortKey, FindingsReportQueryDto } from './reports-query.dto.js';
import type { FindingGroupDto, FindingsReportDto } from './findings-response.dto.js';
import { resolveRange } from './report-window.js';

/** The finding groups report: what the personas found, by module, tool and class, with its state. */
@Injectable()
export class FindingsReportService {
  constructor(@Inject(FindingsRepository) private readonly repo: FindingsRepository) {}

  protected now(): Date {
    return new Date();
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
      personaId: query.personaId,
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
      personaId: query.personaId ?? null,
      offset,
      total,
      items: rows.map((r) => toFindingGroup(r)),
    };
  }

  /** The same report as a CSV file (findings-csv.ts): exactly the groups `findings` answers. */
  async findingsCsv(query: FindingsReportQueryDto): Promise<FindingsCsvFile> {
    const report = await this.findings(query);
    return { filename: `findings-${this.now().toISOString().slice(0, 10)}.csv`, body: findingsCsv(report) };
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
    seenBy: (r.seen_by ?? []).map((p) => ({ id: p.id, name: p.name, email: p.email })),
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
