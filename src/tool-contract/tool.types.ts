import type { Logger } from '@nestjs/common';
import type { z } from 'zod';
import type { UserKind, UserTier } from '../auth/auth.types.js';
import type { ToolSemantics } from './tool-semantics.js';

// The tool contract: what an app module needs to declare and implement a tool. It sits below both
// the app modules (src/modules) and the MCP gateway (src/tools), so neither depends on the other's folder.

export type ToolScope = 'user-space' | 'admin';
export type ToolPolicy = 'read' | 'write' | 'destructive';
export type ToolInvoker = 'mcp' | 'runner' | 'admin';

/** What @Tool declares about a provider method. */
export interface ToolOptions<I extends z.ZodObject = z.ZodObject, O extends z.ZodType = z.ZodType> {
  /** Dotted, lower-case: `<module>.<verb>` e.g. `todo.create`. Unique across the app. */
  name: string;
  /** The app module the tool belongs to (habits, todo, notes, ...); module mixes are keyed by it. */
  module: string;
  scope: ToolScope;
  policy: ToolPolicy;
  /** Shown to MCP clients and LLMs: what the tool does, in one or two sentences. */
  description: string;
  /** A strict zod object: unknown keys rejected, every string bounded. */
  input: I;
  /** The result is validated against this before it leaves the server; published as `outputSchema`. */
  output: O;
  /**
   * What the tool promises (effect, entity, echoes, list/search semantics, state changes): the
   * oracle engine checks every call against it, and tools/list publishes it under
   * `_meta["mana/semantics"]` (src/tool-contract/tool-semantics.ts).
   */
  semantics: ToolSemantics;
}

/** Everything a tool handler gets besides its validated input. */
export interface ToolContext {
  user: { id: string; kind: UserKind; tier: UserTier };
  /** The active space for this call (X-Mana-Space, else the personal space); membership already checked. */
  spaceId: string;
  invoker: ToolInvoker;
  logger: Logger;
  /**
   * The active space's 32-byte data key, unwrapped lazily on first use (cached). Rejects with
   * ZeroKnowledgeUserError when the server cannot unwrap it.
   */
  spaceKey(): Promise<Buffer>;
}

/** The parsed input type of a tool's zod schema, for handler signatures: `ToolInput<typeof createNoteInput>`. */
export type ToolInput<S extends z.ZodType> = z.infer<S>;
