import { Inject, Injectable } from '@nestjs/common';
import { AppConfig } from '../../config/app-config.js';
import { clip } from '../../common/text.js';
import { PersonaMemoryRepository } from './persona-memory.repository.js';
import type { MemoryTickRow } from './persona-memory.repository.js';

/** One earlier day (tick) of a persona, from its own records only. */
export interface PersonaMemoryDay {
  /** YYYY-MM-DD in the persona's timezone. */
  date: string;
  modules: string[];
  ratings: Array<{ module: string; rating: number; notes: string | null }>;
  findings: Array<{ module: string; tool: string; class: string; check: string }>;
  calls: Array<{ tool: string; ok: boolean }>;
}

/** What a persona remembers of its earlier days: `text` for a prompt, `days` oldest first. */
export interface PersonaMemory {
  text: string;
  days: PersonaMemoryDay[];
}

/** How many earlier ticks a memory looks at. */
const MEMORY_TICKS = 7;
/** A rating note is cut to this many characters in the text. */
const NOTE_MAX = 120;
/** Characters per token, the estimate used without a tokenizer. */
const CHARS_PER_TOKEN = 4;

/**
 * A short memory of a persona's earlier days, built from its own records only (its ticks, calls,
 * ratings and findings; never another persona's, never the app's data): the last ticks' dates,
 * modules, tool calls that worked and failed, ratings with notes and findings reported. The text
 * keeps the newest days that fit PERSONA_MEMORY_TOKENS (tokens estimated as characters / 4).
 */
@Injectable()
export class PersonaMemoryService {
  constructor(
    @Inject(PersonaMemoryRepository) private readonly repo: PersonaMemoryRepository,
    @Inject(AppConfig) private readonly config: AppConfig,
  ) {}

  /** The memory a tick starts with; `currentTickId` (the tick being played) is left out. Undefined on a first day. */
  async recall(personaId: string, currentTickId: string | null = null): Promise<PersonaMemory | undefined> {
    const ticks = await this.repo.recentTicks(personaId, currentTickId, MEMORY_TICKS);
    const days = ticks.filter((t) => t.calls.length > 0 || t.ratings.length > 0).map(toDay);
    if (days.length === 0) return undefined;
    return { text: memoryText(ticks, this.config.personaMemoryTokens * CHARS_PER_TOKEN), days };
  }
}

function toDay(tick: MemoryTickRow): PersonaMemoryDay {
  return {
    date: tick.date,
    modules: [...new Set(tick.calls.map((c) => c.module))].sort(),
    ratings: tick.ratings,
    findings: tick.findings,
    calls: tick.calls.map((c) => ({ tool: c.tool, ok: c.ok })),
  };
}

/** The newest days whose lines fit `maxChars` (the newest alone is clipped to fit), oldest first. */
export function memoryText(ticks: MemoryTickRow[], maxChars: number): string {
  const lines: string[] = [];
  let used = 0;
  for (const tick of [...ticks].reverse()) {
    if (tick.calls.length === 0 && tick.ratings.length === 0) continue;
    const line = `- ${dayLine(tick)}`;
    if (used + line.length + 1 > maxChars) {
      if (lines.length === 0 && maxChars > 0) lines.push(clip(line, maxChars));
      break;
    }
    lines.push(line);
    used += line.length + 1;
  }
  return lines.reverse().join('\n');
}

/** One day as a line: date, modules, calls per tool (worked/failed), ratings with notes, findings. */
function dayLine(tick: MemoryTickRow): string {
  const modules = [...new Set(tick.calls.map((c) => c.module))].sort();
  const parts = [`${tick.date}${tick.status === 'ok' ? '' : ` (ended ${tick.status})`}`];
  if (modules.length > 0) parts.push(`used ${modules.join(', ')}`);
  const perTool = new Map<string, { ok: number; failed: number }>();
  for (const call of tick.calls) {
    const counts = perTool.get(call.tool) ?? { ok: 0, failed: 0 };
    if (call.ok) counts.ok += 1;
    else counts.failed += 1;
    perTool.set(call.tool, counts);
  }
  if (perTool.size > 0) {
    parts.push(
      `calls: ${[...perTool]
        .map(([tool, n]) =>
          [n.ok > 0 ? `${tool} ok×${n.ok}` : '', n.failed > 0 ? `${tool} failed×${n.failed}` : '']
            .filter(Boolean)
            .join(', '),
        )
        .join(', ')}`,
    );
  }
  if (tick.ratings.length > 0) {
    parts.push(
      `rated ${tick.ratings
        .map((r) => `${r.module} ${r.rating}/5${r.notes ? ` ("${clip(r.notes, NOTE_MAX)}")` : ''}`)
        .join(', ')}`,
    );
  }
  if (tick.findings.length > 0) {
    parts.push(`reported ${tick.findings.map((f) => `${f.class} in ${f.tool} (${f.check})`).join(', ')}`);
  }
  return `${parts.join('; ')}.`;
}
