import type { Logger } from '@nestjs/common';
import type { z } from 'zod';
import type { UserKind, UserRole, UserTier } from '../auth/auth.types.js';

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
  /** The result is validated against this before it leaves the server. */
  output: O;
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

/** A tool as the registry knows it: its declaration plus the bound handler. */
export interface RegisteredTool {
  options: ToolOptions;
  handler: (input: unknown, ctx: ToolContext) => Promise<unknown>;
}

/**
 * Thrown by a handler for an expected failure (not found, zero-knowledge, a rule of the domain).
 * The gateway answers an MCP error result with this message; anything else is logged as a bug.
 */
export class ToolError extends Error {
  constructor(
    message: string,
    readonly code: string = 'TOOL_ERROR',
  ) {
    super(message);
    this.name = 'ToolError';
  }
}

/** Who is calling a tool, as the ToolExecutor needs it. The active space's membership is already checked. */
export interface ToolCaller {
  user: { id: string; kind: UserKind; tier: UserTier; role: UserRole };
  spaceId: string;
  invoker: ToolInvoker;
}

/** Something about a call the caller should know although the call went through. */
export interface ToolWarning {
  kind: 'prompt_injection';
  /** Dotted path of the input field, e.g. `title` or `subtasks.0.title`. */
  field: string;
  /** The marker that matched, e.g. `ignore previous instructions`. */
  marker: string;
}

/** Why a call failed, for the audit trail and the metrics (bounded set). */
export type ToolErrorKind =
  'unknown_tool' | 'forbidden' | 'rate_limited' | 'invalid_input' | 'tool_error' | 'internal';

/** The one answer shape of ToolExecutor.execute(): it never throws. */
export type ToolCallOutcome =
  | { ok: true; tool: string; output: unknown; warnings: ToolWarning[] }
  | {
      ok: false;
      tool: string;
      kind: ToolErrorKind;
      /** ToolError code for `tool_error`, else a code naming the kind. */
      code: string;
      message: string;
      warnings: ToolWarning[];
    };

/** The parsed input type of a tool's zod schema, for handler signatures: `ToolInput<typeof createNoteInput>`. */
export type ToolInput<S extends z.ZodType> = z.infer<S>;
