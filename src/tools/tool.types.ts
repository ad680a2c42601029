import type { UserKind, UserRole, UserTier } from '../auth/auth.types.js';
import type { ToolContext, ToolInvoker, ToolOptions } from '../tool-contract/tool.types.js';

// Gateway-side types: how the executor and the MCP server see a call. The contract the app modules
// implement (ToolOptions, ToolContext, @Tool, ToolError) lives in src/tool-contract/.

/** A tool as the registry knows it: its declaration plus the bound handler. */
export interface RegisteredTool {
  options: ToolOptions;
  handler: (input: unknown, ctx: ToolContext) => Promise<unknown>;
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
