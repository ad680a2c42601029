import { z } from 'zod';
import { FINDING_CLASSES } from '../brains/brain.js';
import type { FindingClass } from '../brains/brain.js';

export const RATING_NOTES_MAX = 4000;

const ratingSchema = z.object({
  module: z.string().trim().min(1).max(64),
  rating: z.number().int('rating must be a whole number').min(1).max(5),
  notes: z.string().max(RATING_NOTES_MAX).nullish(),
});

export const ratingsSchema = z.object({ ratings: z.array(ratingSchema).min(1) });

export interface ModuleRating {
  module: string;
  rating: number;
  notes: string | null;
}

export type RatingParseResult = { ok: true; ratings: ModuleRating[] } | { ok: false; error: string };

/**
 * Reads the rating turn's answer. A model may wrap the JSON in a ```json fence or in a sentence or
 * two, so the one JSON object is extracted first; it must then match the schema exactly (ratings
 * are whole numbers 1–5), rate every module that was used, and nothing else. Anything else is an
 * error with a message that can be shown to the model in the repair attempt.
 */
export function parseRatings(text: string, modulesUsed: readonly string[]): RatingParseResult {
  const json = extractJsonObject(text);
  if (json === undefined) return { ok: false, error: 'no JSON object found in the answer' };
  const parsed = ratingsSchema.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const where = issue.path.length > 0 ? issue.path.join('.') : 'answer';
    return { ok: false, error: `${where}: ${issue.message}` };
  }
  const used = new Set(modulesUsed);
  const seen = new Set<string>();
  for (const r of parsed.data.ratings) {
    if (!used.has(r.module)) return { ok: false, error: `module "${r.module}" was not used today` };
    if (seen.has(r.module)) return { ok: false, error: `module "${r.module}" is rated twice` };
    seen.add(r.module);
  }
  const missing = modulesUsed.filter((m) => !seen.has(m));
  if (missing.length > 0) return { ok: false, error: `missing ratings for: ${missing.join(', ')}` };
  return {
    ok: true,
    ratings: parsed.data.ratings.map((r) => ({
      module: r.module,
      rating: r.rating,
      notes: r.notes?.trim() ? r.notes.trim() : null,
    })),
  };
}

/** The JSON object in `text`: the whole text, a fenced block, or the first balanced {...} that parses. */
export function extractJsonObject(text: string): unknown {
  const candidates: string[] = [text.trim()];
  for (const match of text.matchAll(/```(?:json|JSON)?\s*\n?([\s\S]*?)```/g))
    candidates.push(match[1].trim());
  for (const candidate of candidates) {
    const value = tryParse(candidate);
    if (isObject(value)) return value;
  }
  for (let start = text.indexOf('{'); start !== -1; start = text.indexOf('{', start + 1)) {
    const end = balancedEnd(text, start);
    if (end === -1) continue;
    const value = tryParse(text.slice(start, end + 1));
    if (isObject(value)) return value;
  }
  return undefined;
}

function tryParse(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Index of the brace closing the one at `start`, skipping braces inside JSON strings; -1 if none. */
function balancedEnd(text: string, start: number): number {
  let depth = 0;
  let inString = false;
  for (let i = start; i < text.length; i += 1) {
    const c = text[i];
    if (inString) {
      if (c === '\\') i += 1;
      else if (c === '"') inString = false;
    } else if (c === '"') inString = true;
    else if (c === '{') depth += 1;
    else if (c === '}') {
      depth -= 1;
      if (depth === 0) return i;
    }
  }
  return -1;
}

export const FINDING_WHAT_MAX = 300;

/** A finding the model reported in its rating turn, checked against what it really did today. */
export interface ReportedFinding {
  module: string;
  tool: string;
  kind: FindingClass;
  what: string;
  seq: number | null;
}

export interface DroppedFinding {
  index: number;
  reason: string;
}

const findingSchema = z
  .object({
    module: z.string().trim().min(1).max(64),
    tool: z.string().trim().min(1).max(128),
    kind: z.enum(FINDING_CLASSES),
    what: z.string().trim().min(1).max(FINDING_WHAT_MAX),
    seq: z.number().int().min(0).nullish(),
  })
  .strict();

/**
 * Reads the `findings` of the rating turn's answer. Each entry must match the schema and point at
 * what really happened today: a module that was used, a tool of that module that was called, and
 * (when given) the seq of a call of that tool. Anything else is dropped with the reason, never
 * repaired or guessed: a finding is only ever what the model said about a call it made.
 */
export function parseFindings(
  text: string,
  calls: ReadonlyArray<{ seq: number; tool: string; module: string }>,
): { findings: ReportedFinding[]; dropped: DroppedFinding[] } {
  const json = extractJsonObject(text) as { findings?: unknown } | undefined;
  const raw = json?.findings;
  if (raw === undefined || raw === null) return { findings: [], dropped: [] };
  if (!Array.isArray(raw))
    return { findings: [], dropped: [{ index: -1, reason: 'findings is not a list' }] };
  const findings: ReportedFinding[] = [];
  const dropped: DroppedFinding[] = [];
  raw.slice(0, 50).forEach((entry, index) => {
    const parsed = findingSchema.safeParse(entry);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      dropped.push({ index, reason: `${issue.path.join('.') || 'finding'}: ${issue.message}` });
      return;
    }
    const f = parsed.data;
    const ofTool = calls.filter((c) => c.tool === f.tool);
    if (ofTool.length === 0)
      return void dropped.push({ index, reason: `tool "${f.tool}" was not called today` });
    if (ofTool[0].module !== f.module) {
      return void dropped.push({ index, reason: `tool "${f.tool}" is not in module "${f.module}"` });
    }
    const seq = f.seq ?? null;
    if (seq !== null && !ofTool.some((c) => c.seq === seq)) {
      return void dropped.push({ index, reason: `call ${seq} was not a call of ${f.tool}` });
    }
    findings.push({ module: f.module, tool: f.tool, kind: f.kind, what: f.what, seq });
  });
  if (raw.length > 50)
    dropped.push({ index: 50, reason: `only the first 50 findings are read (got ${raw.length})` });
  return { findings, dropped };
}
