import type { PersonaMemory, PersonaProfile, PersonaToday, ToolOutcome } from '../brain.js';
import type { ArchetypeVoice } from '../scripted-content.js';
import type { SeededRandom } from '../seeded-random.js';
import type { Row } from './answers.js';

/**
 * What a playbook sees of the persona's day: who it is, how it writes, its dice, and the app's
 * tools. A call answers `undefined` when the tool is not listed (a destructive tool the persona did
 * not opt into, a module the server lacks) or the day's turns are spent: the persona moves on.
 */
export interface PlayContext {
  readonly persona: PersonaProfile;
  readonly today: PersonaToday;
  /** The persona's own earlier days, when it has any. */
  readonly memory: PersonaMemory | undefined;
  readonly rng: SeededRandom;
  readonly voice: ArchetypeVoice;
  /** The overwhelmed newbie: does things in a confused order and slips now and then. */
  readonly confused: boolean;
  /** The tool is listed for this persona (destructive tools only after it opted in). */
  has(tool: string): boolean;
  /** The tool's declared input schema (JSON Schema), to pick values it offers. */
  inputSchemaOf(tool: string): Record<string, unknown> | undefined;
  /** Calls left for the module being played. */
  turnsLeft(): number;
  /** Does something in the app: in the personal space, or in `spaceId` (a shared space it belongs to). */
  call(tool: string, input: Row, options?: { spaceId?: string }): Promise<ToolOutcome | undefined>;
  /** The newbie's slip: input it means to send that is wrong; a refusal is its own mistake. */
  slip(tool: string, input: Row): Promise<ToolOutcome | undefined>;
  /**
   * A try at a tool it knows only from its schema (a third-party server): input made up from the
   * schema may name nothing that exists, so a refusal is no finding (a crash still is).
   */
  attempt(tool: string, input: Row): Promise<ToolOutcome | undefined>;
}
