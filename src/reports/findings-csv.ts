import { stringify } from 'csv-stringify/sync';
import type { FindingGroupDto, FindingsReportDto } from './findings-response.dto.js';

/** A CSV export: the file name to offer and its text. */
export interface FindingsCsvFile {
  filename: string;
  body: string;
}

/** Samples per group in the export: the 3 the report answers (FindingGroupDto.samples). */
const SAMPLE_COLUMNS = 3;
const SAMPLE_FIELDS = ['TickId', 'Seq', 'Check', 'Expected', 'Got'] as const;

/** The header row: the group's fields as the JSON names them, then each sample's. */
export const FINDINGS_CSV_COLUMNS: readonly string[] = [
  'module',
  'tool',
  'class',
  'state',
  'count',
  'ticks',
  'personas',
  'seenBy',
  'firstSeen',
  'lastSeen',
  'checks',
  'plantedDefect',
  'plantedFaultId',
  ...Array.from({ length: SAMPLE_COLUMNS }, (_, i) => SAMPLE_FIELDS.map((f) => `sample${i + 1}${f}`)).flat(),
];

/**
 * The findings report as CSV (RFC 4180: CRLF rows, quotes doubled, every cell holding a delimiter,
 * a quote or a line break quoted), one row per group of `report.items` in their order, so the file
 * holds exactly what the JSON answer with the same query shows. A UTF-8 byte order mark leads, so
 * spreadsheets read persona names and tool answers as UTF-8.
 *
 * Tool answers (`expected`, `got`) and names are third-party text: `escape_formulas` prefixes a
 * cell that starts with = + - @ tab or CR with `'`, so a spreadsheet shows it instead of running it
 * (numbers are written as numbers and left alone).
 */
export function findingsCsv(report: FindingsReportDto): string {
  return stringify([[...FINDINGS_CSV_COLUMNS], ...report.items.map(toRow)], {
    bom: true,
    record_delimiter: 'windows',
    quote_record_delimiter: true,
    escape_formulas: true,
  });
}

function toRow(g: FindingGroupDto): Array<string | number | null> {
  const unnamed = g.personas - g.seenBy.length;
  const seenBy = g.seenBy.map((p) => p.name ?? p.email).join('; ');
  const samples = Array.from({ length: SAMPLE_COLUMNS }, (_, i) => {
    const s = g.samples[i];
    return s ? [s.tickId, s.seq, s.check, s.expected, s.got] : [null, null, null, null, null];
  }).flat();
  return [
    g.module,
    g.tool,
    g.class,
    g.state,
    g.count,
    g.ticks,
    g.personas,
    unnamed > 0 ? `${seenBy}; and ${unnamed} more` : seenBy,
    g.firstSeen,
    g.lastSeen,
    g.checks.join('; '),
    g.matchesPlantedFault?.defect ?? null,
    g.matchesPlantedFault?.faultId ?? null,
    ...samples,
  ];
}
