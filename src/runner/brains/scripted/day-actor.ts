import type { BrainTool, DayContext, PersonaMemory, ToolOutcome } from '../brain.js';
import { CONFUSED_ARCHETYPE, voiceOf } from '../scripted-content.js';
import type { ArchetypeVoice } from '../scripted-content.js';
import type { SeededRandom } from '../seeded-random.js';
import type { Row } from './answers.js';
import type { PlayContext } from './play-context.js';

/** One call of the day, as the persona remembers it for its ratings. */
export interface CallRecord {
  seq: number;
  tool: string;
  module: string;
  input: Row;
  ok: boolean;
  /** The persona sent this knowing it was wrong (the newbie's slip): a failure is its own. */
  slip: boolean;
  /** A try from the schema alone (`attempt`): a refusal says nothing about the app. */
  attempt?: boolean;
  latencyMs: number;
  /** The tool's text, or the error message. */
  text: string;
  /** The id of the row the call answered (a write's `{ task: { id } }`), when there is one. */
  rowId?: string;
}

/**
 * The persona at the app: makes each call through the tick (so it is recorded), keeps the day's
 * turn budget (maxTurns, every call counts) and a share of it per module, and remembers what it did.
 */
export class DayActor implements PlayContext {
  readonly voice: ArchetypeVoice;
  readonly confused: boolean;
  readonly records: CallRecord[] = [];
  private readonly tools: Map<string, BrainTool>;
  private budget: number;
  /** Calls left for the module being played (its share of the day). */
  private share = Number.POSITIVE_INFINITY;

  constructor(
    private readonly context: DayContext,
    readonly rng: SeededRandom,
  ) {
    this.voice = voiceOf(context.persona.archetype);
    this.confused = context.persona.archetype === CONFUSED_ARCHETYPE;
    this.tools = new Map(context.tools.map((t) => [t.name, t]));
    this.budget = context.maxTurns;
  }

  get persona() {
    return this.context.persona;
  }

  get today() {
    return this.context.today;
  }

  get memory(): PersonaMemory | undefined {
    return this.context.memory;
  }

  has(tool: string): boolean {
    return this.tools.has(tool);
  }

  inputSchemaOf(tool: string): Record<string, unknown> | undefined {
    return this.tools.get(tool)?.inputSchema;
  }

  /** Turns left today. */
  dayTurnsLeft(): number {
    return this.budget;
  }

  turnsLeft(): number {
    return Math.min(this.budget, this.share);
  }

  /** The next module may use at most `turns` calls (Infinity: the rest of the day). */
  startModule(turns: number): void {
    this.share = turns;
  }

  call(tool: string, input: Row, options: { spaceId?: string } = {}): Promise<ToolOutcome | undefined> {
    return this.make(tool, input, options.spaceId, 'call');
  }

  slip(tool: string, input: Row): Promise<ToolOutcome | undefined> {
    return this.make(tool, input, undefined, 'slip');
  }

  attempt(tool: string, input: Row): Promise<ToolOutcome | undefined> {
    return this.make(tool, input, undefined, 'attempt');
  }

  private async make(
    name: string,
    input: Row,
    spaceId: string | undefined,
    kind: 'call' | 'slip' | 'attempt',
  ): Promise<ToolOutcome | undefined> {
    const tool = this.tools.get(name);
    if (!tool || this.turnsLeft() <= 0) return undefined;
    this.budget -= 1;
    this.share -= 1;
    const clean = Object.fromEntries(Object.entries(input).filter(([, v]) => v !== undefined));
    const slip = kind === 'slip';
    const options = {
      ...(spaceId ? { spaceId } : {}),
      ...(slip ? { expectError: true } : {}),
      ...(kind === 'attempt' ? { probe: true } : {}),
    };
    const outcome = await this.context.callTool(
      name,
      clean,
      Object.keys(options).length > 0 ? options : undefined,
    );
    this.records.push({
      seq: outcome.seq,
      tool: name,
      module: tool.module,
      input: clean,
      ok: outcome.ok,
      slip,
      ...(kind === 'attempt' ? { attempt: true } : {}),
      latencyMs: outcome.latencyMs,
      text: outcome.text,
      ...(rowIdOf(outcome.data) ? { rowId: rowIdOf(outcome.data) } : {}),
    });
    return outcome;
  }
}

/** The id of the one row an answer carries (`{ task: { id } }`), if any. */
function rowIdOf(data: unknown): string | undefined {
  if (!data || typeof data !== 'object') return undefined;
  for (const value of Object.values(data as Record<string, unknown>)) {
    const id = value && typeof value === 'object' ? (value as { id?: unknown }).id : undefined;
    if (typeof id === 'string') return id;
  }
  return undefined;
}
