import type { FindingReport } from '../brain.js';
import type { ArchetypeVoice } from '../scripted-content.js';
import type { SeededRandom } from '../seeded-random.js';
import type { CallRecord } from './day-actor.js';

export interface DayRating {
  module: string;
  rating: number;
  notes: string;
}

/** What the persona calls the things of a module, in its notes. */
const THINGS: Record<string, string> = {
  todo: 'to-dos',
  notes: 'notes',
  journal: 'journal',
  habits: 'habits',
  mood: 'mood log',
  calendar: 'calendar',
  contacts: 'contacts',
  spaces: 'spaces',
};

/** What a call did, by the action part of its name (`todo.create` → create). */
const DID: Record<string, string> = {
  create: 'added',
  create_event: 'added',
  add: 'wrote',
  log: 'logged',
  update: 'changed',
  complete: 'completed',
  archive: 'archived',
  delete: 'deleted',
  search: 'searched for',
  list: 'looked at',
  list_events: 'looked at',
  recent: 'looked at',
  recent_logs: 'looked at',
};

/** What the persona meant to do, for a slip the app refused. */
const MEANT: Record<string, string> = {
  create: 'add',
  create_event: 'add',
  add: 'write',
  log: 'log',
  update: 'change',
  complete: 'complete',
  archive: 'archive',
  delete: 'delete',
  search: 'search',
};

const READS = new Set(['search', 'list', 'list_events', 'recent', 'recent_logs']);

/** What a finding of a class means to the persona. */
const FELT: Record<string, string> = {
  wrong_result: 'that was just wrong',
  lost_write: 'what I saved did not stay saved',
  contract: 'it did not do what it says it does',
  confusing: 'the message left me guessing',
  error: 'it failed',
  slow: 'it was slow',
};

/**
 * The ratings, from what happened: errors the persona did not cause cost up to 3 points, slowness up
 * to 2, and each finding of the module 2 (a wrong answer, a lost write) or 1 (anything else). The
 * findings are the tick's (oracle engine, brain), minus the persona's own mistakes and minus the
 * call's own error/slow findings, which the error and latency counts already weigh. The notes say what
 * the persona did and what went wrong, in its words, built from the calls and the findings.
 */
export function rateDay(
  records: readonly CallRecord[],
  findings: readonly FindingReport[],
  voice: ArchetypeVoice,
  rng: SeededRandom,
): DayRating[] {
  const modules = [...new Set(records.map((r) => r.module))].sort();
  return modules.map((module) => {
    const calls = records.filter((r) => r.module === module);
    const failed = calls.filter((r) => !r.ok && !r.slip && !r.attempt);
    const found = findings.filter((f) => f.module === module && !f.personaMistake && f.source !== 'call');
    const avg = Math.round(calls.reduce((s, r) => s + r.latencyMs, 0) / calls.length);
    const errorRate = failed.length / calls.length;
    let rating = 5;
    if (errorRate >= 0.75) rating -= 3;
    else if (errorRate >= 0.4) rating -= 2;
    else if (errorRate > 0) rating -= 1;
    if (avg > 1000) rating -= 2;
    else if (avg > 300) rating -= 1;
    for (const f of found) rating -= f.class === 'wrong_result' || f.class === 'lost_write' ? 2 : 1;
    rating = Math.max(1, Math.min(5, rating));

    const what = (r: CallRecord) => doing(r, calls);
    const parts = [`Today I ${summary(calls, what)}.`];
    if (failed.length > 0) {
      const first = failed[0];
      parts.push(
        `When I ${what(first)}, ${first.tool} answered "${first.text.slice(0, 160)}" — ${rng.pick(voice.complaint)}.`,
      );
    }
    for (const f of found.slice(0, 3)) parts.push(sayFinding(f, calls, what));
    const slipped = calls.some((r) => r.slip && !r.ok);
    const praise = `verything worked — ${rng.pick(voice.praise)}.`;
    if (failed.length === 0 && found.length === 0) {
      parts.push(slipped ? `I got something wrong myself; otherwise e${praise}` : `E${praise}`);
    } else {
      if (slipped) parts.push('Some of it I got wrong myself.');
      if (failed.length === 0) parts.push(`${capitalize(rng.pick(voice.complaint))}.`);
    }
    if (avg > 300) parts.push(`It felt slow (${avg} ms a call on average).`);
    return { module, rating, notes: parts.join(' ').slice(0, 3900) };
  });
}

/** "added “Buy milk”, completed a task and looked at my to-dos" (the first three distinct doings). */
function summary(calls: readonly CallRecord[], what: (r: CallRecord) => string): string {
  const doings = [...new Set(calls.map(what))].slice(0, 3);
  if (doings.length <= 1) return doings[0] ?? 'did nothing much';
  return `${doings.slice(0, -1).join(', ')} and ${doings[doings.length - 1]}`;
}

/** A finding in the persona's words: what it did, what it then saw, expected against got. */
function sayFinding(f: FindingReport, calls: readonly CallRecord[], what: (r: CallRecord) => string): string {
  const at = f.seq === null ? undefined : calls.find((r) => r.seq === f.seq);
  const wrote = [...calls]
    .reverse()
    .find((r) => !READS.has(action(r.tool)) && (f.seq === null || r.seq <= f.seq));
  const felt = FELT[f.class] ?? 'something was off';
  const saw = `I expected ${f.expected.slice(0, 160)} and got ${f.got.slice(0, 160)}`;
  if (at && wrote && wrote !== at) return `I ${what(wrote)}, then ${what(at)}: ${saw} — ${felt}.`;
  if (at) return `I ${what(at)} and ${felt}: ${saw}.`;
  return `With ${f.tool}, ${felt}: ${saw}.`;
}

/**
 * One call in the persona's words: "added “Buy milk”", "looked at my to-dos", "completed “Buy milk”"
 * (a call by id is named by what the row was called when the persona wrote it).
 */
function doing(r: CallRecord, calls: readonly CallRecord[]): string {
  const act = action(r.tool);
  const module = r.tool.split('.')[0];
  const things = THINGS[module] ?? module;
  const verb = act === 'archive' && r.input.archived === false ? 'restored' : (DID[act] ?? 'used');
  if (act === 'search') return `searched for ${quote(r.input.query) ?? `my ${things}`}`;
  if (READS.has(act)) return `looked at my ${things}`;
  const target = r.input.id ?? r.input.habitId;
  const named = target === undefined ? undefined : calls.find((c) => c.rowId === target && c !== r)?.input;
  const label = quote(labelOf(r.input) ?? (named ? labelOf(named) : undefined));
  if (r.slip && !r.ok) return `tried to ${MEANT[act] ?? 'use'} ${label ?? `my ${things}`}`;
  if (act === 'log' && module === 'habits') return label ? `checked in on ${label}` : 'checked in on a habit';
  if (label) return `${verb} ${label}`;
  return `${verb} ${module === 'todo' ? 'a task' : `something in my ${things}`}`;
}

function labelOf(input: Record<string, unknown>): unknown {
  return input.title ?? input.name ?? input.content ?? input.notes;
}

function action(tool: string): string {
  const dot = tool.indexOf('.');
  return dot > 0 ? tool.slice(dot + 1) : tool;
}

function quote(value: unknown): string | null {
  if (typeof value !== 'string' || value.trim() === '') return null;
  const text = value.trim();
  return `“${text.length > 60 ? `${text.slice(0, 57)}...` : text}”`;
}

function capitalize(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}
