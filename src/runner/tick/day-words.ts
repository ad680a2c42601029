import { clip } from '../../common/text.js';
import { TICK_WORDS_MAX, TICK_WORD_MAX_CHARS } from '../../personas/schedule/persona-schedule.types.js';
import { isSecretKey, redactText } from '../../personas/audit/trajectory-content.js';
import type { BrainDay, BrainTool, FindingReport } from '../brains/brain.js';
import type { MadeCall, TickCallRecorder } from './tick-call.recorder.js';

/** Input fields that say what a call was about, in the order they are looked for. */
const SUBJECT_FIELDS = ['title', 'name', 'summary', 'query', 'q', 'text', 'content', 'label'];
const SUBJECT_MAX = 60;
const FINDING_LINES_MAX = 4;

type Effect = 'create' | 'update' | 'delete' | 'action' | 'read' | 'list' | 'search';
const EFFECT_ORDER: readonly Effect[] = ['create', 'update', 'action', 'delete', 'search', 'list', 'read'];

/**
 * The persona's own words for the day: what an LLM wrote in its text turns, or else the day told in
 * short first-person lines from what the persona did: per module what it added, changed, deleted
 * and looked at (each call's effect from the tool's declared semantics or annotations, its subject
 * from its own input), what failed, what the checks found, and how much was double-checked.
 */
export function wordsOfDay(day: BrainDay | undefined, recorder: TickCallRecorder): string[] {
  const said = (day?.words?.() ?? []).map((t) => t.trim()).filter((t) => t.length > 0);
  const lines =
    said.length > 0 ? said : tellDay(recorder.callsMade(), recorder.findings(), (n) => recorder.tool(n));
  return lines.slice(0, TICK_WORDS_MAX).map((line) => clip(redactText(line), TICK_WORD_MAX_CHARS));
}

/** The day told from its calls and findings (pure: the spec drives it with made-up calls). */
export function tellDay(
  calls: readonly MadeCall[],
  findings: readonly FindingReport[],
  toolOf: (name: string) => BrainTool | undefined,
): string[] {
  const own = calls.filter((c) => c.origin === 'brain');
  if (own.length === 0) return ['I did not get to do anything today.'];
  const lines: string[] = [];
  const modules = [...new Set(own.map((c) => c.module))];
  for (const module of modules) {
    const parts = moduleParts(
      own.filter((c) => c.module === module),
      toolOf,
    );
    if (parts.length > 0) lines.push(`${capital(module.replace(/_/g, ' '))}: I ${joinAnd(parts)}.`);
  }
  const mistakes = new Set(findings.filter((f) => f.personaMistake && f.seq !== null).map((f) => f.seq));
  const failed = own.filter((c) => c.result && !c.result.ok && !mistakes.has(c.seq));
  if (failed.length > 0) {
    const first = failed[0];
    lines.push(
      `${failed.length === 1 ? 'One of my calls' : `${failed.length} of my calls`} failed; ${first.tool} ` +
        `answered “${clip(first.result?.text ?? '', 120)}”.`,
    );
  }
  if (mistakes.size > 0)
    lines.push(`I got ${times(mistakes.size, 'input', 'inputs')} of my own wrong, and the app told me so.`);
  const problems = findings.filter((f) => !f.personaMistake && f.check !== 'call.failed');
  for (const f of problems.slice(0, FINDING_LINES_MAX))
    lines.push(
      `Something was off with ${f.tool}: I expected ${clip(f.expected, 120)}, but got ${clip(f.got, 120)}.`,
    );
  if (problems.length > FINDING_LINES_MAX)
    lines.push(`…and ${problems.length - FINDING_LINES_MAX} more things did not look right.`);
  const checks = calls.length - own.length;
  if (checks > 0) lines.push(`I double-checked my work with ${times(checks, 'extra look', 'extra looks')}.`);
  if (failed.length === 0 && problems.length === 0)
    lines.push('Everything I tried worked the way I expected.');
  return lines;
}

function moduleParts(calls: readonly MadeCall[], toolOf: (name: string) => BrainTool | undefined): string[] {
  const byEffect = new Map<Effect, MadeCall[]>();
  for (const call of calls) {
    const effect = effectOf(toolOf(call.tool));
    byEffect.set(effect, [...(byEffect.get(effect) ?? []), call]);
  }
  const parts: string[] = [];
  for (const effect of EFFECT_ORDER) {
    const list = byEffect.get(effect);
    if (!list) continue;
    const entity = toolOf(list[0].tool)?.semantics?.entity?.replace(/[_-]+/g, ' ');
    const n = list.length;
    if (!entity) {
      // no declared entity: say which tool did it, not a made-up noun
      const tools = [...new Set(list.map((c) => c.tool))].join(' and ');
      parts.push(`${UNNAMED[effect]} ${tools} ${timesWord(n)}`);
      continue;
    }
    const subject = subjectOf(list, n);
    if (effect === 'create') parts.push(`added ${count(n, entity)}${subject}`);
    else if (effect === 'update') parts.push(`changed ${count(n, entity)}${subject}`);
    else if (effect === 'delete') parts.push(`deleted ${count(n, entity)}`);
    else if (effect === 'search') parts.push(`searched my ${plural(entity)} ${timesWord(n)}${subject}`);
    else if (effect === 'list') parts.push(`looked through my ${plural(entity)} ${timesWord(n)}`);
    else if (effect === 'read') parts.push(`opened ${count(n, entity)}`);
    else
      parts.push(
        `used ${[...new Set(list.map((c) => c.tool))].join(' and ')} on my ${plural(entity)} ${timesWord(n)}`,
      );
  }
  return parts;
}

function effectOf(tool: BrainTool | undefined): Effect {
  const declared = tool?.semantics?.effect;
  if (declared) return declared;
  if (tool?.annotations?.readOnlyHint === true) return 'read';
  if (tool?.annotations?.destructiveHint === true) return 'delete';
  return 'action';
}

/** How a call of a tool without a declared entity is told, by its effect. */
const UNNAMED: Record<Effect, string> = {
  create: 'added things with',
  update: 'changed things with',
  delete: 'deleted things with',
  action: 'used',
  read: 'looked things up with',
  list: 'looked things up with',
  search: 'searched with',
};

/** ` (“Buy milk”)` or ` (“Buy milk” and 2 more)`: what the first call was about, from its input. */
function subjectOf(calls: readonly MadeCall[], n: number): string {
  for (const field of SUBJECT_FIELDS) {
    const value = calls[0].input[field];
    if (typeof value !== 'string' || value.trim() === '' || isSecretKey(field)) continue;
    const text = clip(redactText(value.trim().replace(/\s+/g, ' ')), SUBJECT_MAX);
    return n > 1 ? ` (“${text}” and ${n - 1} more)` : ` (“${text}”)`;
  }
  return '';
}

function count(n: number, entity: string): string {
  return n === 1 ? `${/^[aeiou]/i.test(entity) ? 'an' : 'a'} ${entity}` : `${n} ${plural(entity)}`;
}

function plural(word: string): string {
  if (/(s|x|z|ch|sh)$/i.test(word)) return `${word}es`;
  if (/[^aeiou]y$/i.test(word)) return `${word.slice(0, -1)}ies`;
  return `${word}s`;
}

function timesWord(n: number): string {
  return n === 1 ? 'once' : n === 2 ? 'twice' : `${n} times`;
}

function times(n: number, one: string, many: string): string {
  return n === 1 ? `one ${one}` : `${n} ${many}`;
}

function joinAnd(parts: string[]): string {
  return parts.length <= 1
    ? parts.join('')
    : `${parts.slice(0, -1).join(', ')} and ${parts[parts.length - 1]}`;
}

function capital(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}
