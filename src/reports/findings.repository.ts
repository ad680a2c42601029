import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { FINDING_SEEN_BY_MAX } from './reports-query.dto.js';
import type { FindingSortKey, FindingState } from './reports-query.dto.js';
import type { TimeRange } from './report-window.js';
import { readAggregate } from './aggregate-read.js';

/* The finding reports' queries (finding groups with their state, the faults planted); the
 * conventions of reports.repository.ts. */

export interface FindingGroupRow {
  module: string;
  tool: string;
  finding_class: string;
  state: FindingState;
  first_seen: Date;
  last_seen: Date;
  findings: number;
  ticks: number;
  personas: number;
  /** Up to FINDING_SEEN_BY_MAX of the personas that found it, by name. */
  seen_by: Array<{ id: string; name: string | null; email: string }>;
  checks: string[];
  samples: Array<{
    tick_id: string;
    seq: number | null;
    persona_id: string;
    check: string;
    expected: string;
    got: string;
    source: string;
    created_at: string;
  }>;
  fault_id: string | null;
  defect: string | null;
  total: number;
}

export interface FindingsFilter {
  range: TimeRange;
  /** true: the personas' own mistakes; false: the app's findings */
  personaMistakes: boolean;
  module?: string;
  findingClass?: string;
  state?: FindingState;
  /** Only the groups this persona saw (one of its findings in the range). */
  personaId?: string;
  sort: FindingSortKey;
  descending: boolean;
  limit: number;
  offset: number;
}

/** A plantable defect's signature, as the fault catalog (src/faults) gives it. */
export interface DefectSignature {
  defect: string;
  module: string;
  tool: string;
  findingClass: string;
}

export interface PlantedFaultRow {
  id: string;
  defect: string;
}

/** Finding-group sort keys → SQL (columns of the `stated` CTE below), a closed map like TOOL_ORDER. */
const FINDING_ORDER: Record<FindingSortKey, string> = {
  lastSeen: 'last_seen',
  firstSeen: 'first_seen',
  count: 'findings',
  ticks: 'ticks',
  personas: 'personas',
  module: 'module',
  tool: 'tool',
  class: 'finding_class',
};

/**
 * How many of the newest ticks that used a tool are looked at for a finding group's state: the
 * group is `open` while at least one of them produced it, `gone` once this many later ones did not.
 */
export const FINDING_OPEN_TICKS = 3;

/**
 * The finding groups of a range, with their state. Placeholders: $1 from, $2 to (half-open on the
 * findings' created_at), $3 persona_mistake, $4 module or null, $5 class or null.
 * - `f`: the range's findings of one kind (app or persona mistake), each with its tick's start;
 * - `groups`: per (module, tool, class): first/last seen, counts, checks, and the group's newest tick
 *   in (started_at, id) order;
 * - `stated`: the state, from a LATERAL count of the ticks after that newest tick (started before
 *   $2) that called the tool (persona_actions, the (tool_name, created_at) index from the newest
 *   tick's start) or reported a finding of the same kind on it, stopped at FINDING_OPEN_TICKS.
 *   Fewer later ticks than that means the newest tick is among the newest FINDING_OPEN_TICKS that
 *   used the tool: `open`. Only the ticks since a group's newest tick are read, so an open group
 *   costs a few probes; a long-gone one reads the tool's calls since it was last seen.
 */
const FINDING_GROUPS = `
  f AS (
    SELECT x.id, x.persona_id, x.tick_id, x.seq, x.module, x.tool, x.class AS finding_class,
           x.check_name, x.expected, x.got, x.source, x.created_at, t.started_at AS tick_started
    FROM persona_findings x
    JOIN persona_ticks t ON t.id = x.tick_id
    WHERE x.created_at >= $1 AND x.created_at < $2 AND x.persona_mistake = $3::boolean
      AND ($4::text IS NULL OR x.module = $4::text)
      AND ($5::text IS NULL OR x.class = $5::text)
  ), groups AS (
    SELECT module, tool, finding_class,
           min(created_at) AS first_seen, max(created_at) AS last_seen,
           count(*)::int AS findings, count(DISTINCT tick_id)::int AS ticks,
           count(DISTINCT persona_id)::int AS personas,
           array_agg(DISTINCT check_name ORDER BY check_name) AS checks,
           max(tick_started) AS newest_started,
           (array_agg(tick_id ORDER BY tick_started DESC, tick_id DESC))[1] AS newest_tick
    FROM f
    GROUP BY module, tool, finding_class
  ), stated AS (
    SELECT g.*, CASE WHEN later.n < ${FINDING_OPEN_TICKS} THEN 'open' ELSE 'gone' END AS state
    FROM groups g
    CROSS JOIN LATERAL (
      SELECT count(*)::int AS n FROM (
        SELECT a.tick_id
        FROM persona_actions a
        JOIN persona_ticks t ON t.id = a.tick_id
        WHERE a.tool_name = g.tool AND a.created_at >= g.newest_started AND a.created_at < $2
          AND t.started_at < $2 AND (t.started_at, t.id) > (g.newest_started, g.newest_tick)
        UNION
        SELECT y.tick_id
        FROM persona_findings y
        JOIN persona_ticks t ON t.id = y.tick_id
        WHERE y.module = g.module AND y.tool IS NOT DISTINCT FROM g.tool
          AND y.persona_mistake = $3::boolean
          AND y.created_at >= g.newest_started AND y.created_at < $2
          AND t.started_at < $2 AND (t.started_at, t.id) > (g.newest_started, g.newest_tick)
        LIMIT ${FINDING_OPEN_TICKS}
      ) u
    ) later
  )`;

@Injectable()
export class FindingsRepository {
  constructor(@InjectDataSource() private readonly db: DataSource) {}

  /**
   * Finding groups (module, tool, class) of one kind in the range, with state, sorted and paged; each
   * page row with up to 3 newest findings as samples and the planted fault it matches.
   * Shape: FINDING_GROUPS (one scan of the range's findings, then per group a bounded LATERAL state
   * probe); the state filter, the count (`total`, before paging) and the sort run over the groups,
   * which number in the tens to hundreds. Only the page's rows get the two LATERALs: the 3 newest
   * findings of the group (from `f`, already in memory) and the newest plant of a catalog defect with
   * the group's (module, tool, class) during which one of the group's findings was made
   * (planted_at ≤ created_at < cleared_at). The catalog is code, so it arrives as four parallel
   * arrays and is unnested; `faults` holds a few rows.
   * The persona filter ($13) keeps a group when the persona made one of its findings: `mine` is one
   * pass over `f` down to that persona's few (module, tool, class) keys, so each group's test is a
   * probe of a handful of rows, and the group's figures stay every persona's (the state, above all,
   * is the group's, not one persona's). `seen_by` (page rows only) names up to FINDING_SEEN_BY_MAX of
   * the group's personas from `f` and `users` (a read of the auth module's table, as the said-vs-did
   * report does), ordered by lower(name, else email) so both collations agree.
   */
  async findings(filter: FindingsFilter, catalog: DefectSignature[]): Promise<FindingGroupRow[]> {
    const order = `${FINDING_ORDER[filter.sort]} ${filter.descending ? 'DESC' : 'ASC'} NULLS LAST,
                   module ASC, tool ASC NULLS LAST, finding_class ASC`;
    return readAggregate<FindingGroupRow>(
      this.db,
      `WITH ${FINDING_GROUPS}, mine AS (
         SELECT DISTINCT module, tool, finding_class FROM f WHERE f.persona_id = $13::uuid
       ), page AS (
         SELECT s.*, count(*) OVER ()::int AS total
         FROM stated s
         WHERE ($6::text IS NULL OR s.state = $6::text)
           AND ($13::uuid IS NULL OR EXISTS (
                 SELECT 1 FROM mine
                 WHERE mine.module = s.module AND mine.tool IS NOT DISTINCT FROM s.tool
                   AND mine.finding_class = s.finding_class))
         ORDER BY ${order}
         LIMIT $7 OFFSET $8
       )
       SELECT p.module, p.tool, p.finding_class, p.state, p.first_seen, p.last_seen, p.findings,
              p.ticks, p.personas, sb.seen_by, p.checks, p.total, smp.samples, m.fault_id, m.defect
       FROM page p
       CROSS JOIN LATERAL (
         SELECT json_agg(json_build_object(
                  'tick_id', s.tick_id, 'seq', s.seq, 'persona_id', s.persona_id, 'check', s.check_name,
                  'expected', s.expected, 'got', s.got, 'source', s.source,
                  'created_at', to_char(s.created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"'))
                  ORDER BY s.created_at DESC, s.id) AS samples
         FROM (
           SELECT * FROM f
           WHERE f.module = p.module AND f.tool IS NOT DISTINCT FROM p.tool
             AND f.finding_class = p.finding_class
           ORDER BY f.created_at DESC, f.id
           LIMIT 3
         ) s
       ) smp
       CROSS JOIN LATERAL (
         SELECT coalesce(json_agg(json_build_object('id', who.id, 'name', who.name, 'email', who.email)
                  ORDER BY who.sort_key, who.id), '[]'::json) AS seen_by
         FROM (
           SELECT u.id, u.name, u.email, lower(coalesce(u.name, u.email)) AS sort_key
           FROM users u
           WHERE u.id IN (
             SELECT f.persona_id FROM f
             WHERE f.module = p.module AND f.tool IS NOT DISTINCT FROM p.tool
               AND f.finding_class = p.finding_class
           )
           ORDER BY sort_key, u.id
           LIMIT ${FINDING_SEEN_BY_MAX}
         ) who
       ) sb
       LEFT JOIN LATERAL (
         SELECT fa.id AS fault_id, fa.defect
         FROM faults fa
         JOIN unnest($9::text[], $10::text[], $11::text[], $12::text[]) AS c(defect, module, tool, cls)
           ON c.defect = fa.defect
         WHERE c.module = p.module AND c.tool = p.tool AND c.cls = p.finding_class
           AND EXISTS (
             SELECT 1 FROM f
             WHERE f.module = p.module AND f.tool = p.tool AND f.finding_class = p.finding_class
               AND f.created_at >= fa.planted_at AND (fa.cleared_at IS NULL OR f.created_at < fa.cleared_at)
           )
         ORDER BY fa.planted_at DESC, fa.id
         LIMIT 1
       ) m ON true
       ORDER BY ${order}`,
      [
        filter.range.from,
        filter.range.to,
        filter.personaMistakes,
        filter.module ?? null,
        filter.findingClass ?? null,
        filter.state ?? null,
        filter.limit,
        filter.offset,
        catalog.map((c) => c.defect),
        catalog.map((c) => c.module),
        catalog.map((c) => c.tool),
        catalog.map((c) => c.findingClass),
        filter.personaId ?? null,
      ],
    );
  }

  /** The number of open app finding groups in the range (FINDING_GROUPS, counted). */
  async openFindingGroups(range: TimeRange): Promise<number> {
    const rows = await readAggregate<{ open: number }>(
      this.db,
      `WITH ${FINDING_GROUPS}
       SELECT count(*) FILTER (WHERE state = 'open')::int AS open FROM stated`,
      [range.from, range.to, false, null, null],
    );
    return rows[0]?.open ?? 0;
  }

  /** Faults planted at `at` (not cleared), oldest plant first. `faults` holds a few rows. */
  plantedFaults(at: Date): Promise<PlantedFaultRow[]> {
    return this.db.query(
      `SELECT id, defect FROM faults
       WHERE planted_at <= $1 AND (cleared_at IS NULL OR cleared_at > $1)
       ORDER BY planted_at, id`,
      [at],
    );
  }
}
