import type { BrainTool } from '../brain.js';
import { getPath, hashSeed, isRow } from '../../oracles/values.js';
import type { PlayContext } from './play-context.js';
import { inputFor } from './schema-values.js';
import type { ValueSource } from './schema-values.js';

/**
 * A server the scripted brain has no playbook for (a third-party MCP server): the persona finds its
 * way around as a newcomer would, from what tools/list says of each tool. It looks first (tools
 * that only read), then makes something (tools that add), looks again, changes what it made, and
 * last clears up (destructive tools), each with input made up from the tool's input schema and a
 * marker of its own in every text, so its rows are its own on a server other personas share.
 * Tools whose input cannot be made from the schema alone (a pattern, an unknown format) are left
 * alone. Every try is an `attempt`: the oracle engine checks each answer, but a refusal of made-up
 * input is no finding.
 */
export async function exploreServer(ctx: PlayContext, tools: readonly BrainTool[]): Promise<void> {
  const marker = personaMarker(ctx.persona.email);
  // what it wrote today (and its marker alone, a search any of its rows matches)
  const recall: string[] = [];
  const source: ValueSource = {
    rng: ctx.rng,
    words: [...ctx.voice.topics, ...ctx.voice.todos, ...ctx.voice.noteTitles],
    marker,
    today: ctx.today.date,
    recall,
  };
  const own = new OwnRows();
  for (const phase of phasesOf(tools)) {
    for (const tool of phase.tools) {
      if (ctx.turnsLeft() <= 0) return;
      const made = inputFor(tool.inputSchema, source);
      if (!made) continue;
      const input = own.aimedAt(tool, made);
      const outcome = await ctx.attempt(tool.name, input);
      if (!outcome?.ok) continue;
      own.after(tool, input, outcome.data);
      if (phase.name === 'add') {
        for (const text of textsIn(input))
          if (text.includes(marker) && !recall.includes(text)) recall.push(text);
        if (!recall.includes(marker)) recall.push(marker);
      }
    }
  }
}

/**
 * The ids of the rows the persona made today, by entity, for tools whose semantics say which input
 * names a row: a change or a delete then acts on one of its own rows (as a user edits or removes
 * what they made) instead of on a made-up id.
 */
class OwnRows {
  private readonly ids = new Map<string, Array<string | number>>();

  /** The input, with the row it names (or, for a batch, the rows) set to one of the persona's own. */
  aimedAt(tool: BrainTool, input: Record<string, unknown>): Record<string, unknown> {
    const s = tool.semantics;
    const id = s ? this.ids.get(s.entity)?.at(-1) : undefined;
    if (!s || id === undefined || (s.effect !== 'update' && s.effect !== 'action' && s.effect !== 'delete'))
      return input;
    if (s.batch && s.effect === 'delete') return { ...input, [s.batch.input]: [id] };
    return s.idInput && !s.batch ? { ...input, [s.idInput]: id } : input;
  }

  after(tool: BrainTool, input: Record<string, unknown>, data: unknown): void {
    const s = tool.semantics;
    if (!s) return;
    const idField = s.idField ?? 'id';
    const list = this.ids.get(s.entity) ?? [];
    this.ids.set(s.entity, list);
    if (s.effect === 'create') {
      const answered = s.result ? getPath(data, s.result) : undefined;
      const rows = Array.isArray(answered) ? answered : [answered];
      for (const row of rows) {
        const id = isRow(row) ? row[idField] : undefined;
        if ((typeof id === 'string' || typeof id === 'number') && !list.includes(id)) list.push(id);
      }
    } else if (s.effect === 'delete') {
      const gone = s.batch ? input[s.batch.input] : s.idInput ? [input[s.idInput]] : [];
      for (const id of Array.isArray(gone) ? gone : []) {
        const at = list.findIndex((own) => String(own) === String(id));
        if (at >= 0) list.splice(at, 1);
      }
    }
  }
}

/** The strings of an input, at any depth. */
function textsIn(value: unknown): string[] {
  if (typeof value === 'string') return [value];
  if (Array.isArray(value)) return value.flatMap(textsIn);
  if (value && typeof value === 'object') return Object.values(value).flatMap(textsIn);
  return [];
}

/** The persona's marker: short, stable for the persona, and unlike any other persona's. */
export function personaMarker(email: string): string {
  return `p-${(hashSeed(email.toLowerCase()) >>> 0).toString(36).padStart(7, '0').slice(0, 7)}`;
}

type Phase = 'read' | 'add' | 'change' | 'remove';

/** What a tool does, from its semantics when declared, else from its annotations. */
function phaseOf(tool: BrainTool): Phase {
  const effect = tool.semantics?.effect;
  if (effect) {
    if (effect === 'create') return 'add';
    if (effect === 'delete') return 'remove';
    if (effect === 'update' || effect === 'action') return 'change';
    return 'read';
  }
  const a = tool.annotations ?? {};
  if (a.readOnlyHint === true) return 'read';
  // MCP's default for a tool that is not read-only is destructive
  if (a.destructiveHint !== false) return 'remove';
  return a.idempotentHint === true ? 'change' : 'add';
}

/** Look, add, look again, change, look, clear up: the tools of each phase in name order. */
function phasesOf(tools: readonly BrainTool[]): Array<{ name: Phase; tools: BrainTool[] }> {
  const of = (name: Phase) => ({
    name,
    tools: tools.filter((t) => phaseOf(t) === name).sort((a, b) => a.name.localeCompare(b.name)),
  });
  return [of('read'), of('add'), of('read'), of('change'), of('read'), of('remove')];
}
