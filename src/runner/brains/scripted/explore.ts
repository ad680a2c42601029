import type { BrainTool } from '../brain.js';
import { hashSeed } from '../../oracles/values.js';
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
  for (const phase of phasesOf(tools)) {
    for (const tool of phase.tools) {
      if (ctx.turnsLeft() <= 0) return;
      const input = inputFor(tool.inputSchema, source);
      if (!input) continue;
      const outcome = await ctx.attempt(tool.name, input);
      if (phase.name === 'add' && outcome?.ok) {
        for (const text of textsIn(input))
          if (text.includes(marker) && !recall.includes(text)) recall.push(text);
        if (!recall.includes(marker)) recall.push(marker);
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
