import type { ToolContext } from './tool.types.js';

/**
 * Injection token of the tool-call interceptors: a `ToolCallInterceptor[]`, optional (none unless
 * a module provides it). The fault lab provides one; the tools layer never imports the lab.
 */
export const TOOL_CALL_INTERCEPTORS = Symbol('TOOL_CALL_INTERCEPTORS');

/** One tool call as an interceptor sees it. */
export interface ToolCall {
  /** The tool's name, e.g. `todo.list`. */
  tool: string;
  /** The app module the tool belongs to. */
  module: string;
  /** The input as the tool's input schema parsed it (defaults filled in). */
  input: Readonly<Record<string, unknown>>;
  /** Who calls, in which active space (membership already checked). */
  caller: Pick<ToolContext, 'user' | 'spaceId' | 'invoker'>;
}

/** Runs the rest of the call (the next interceptor, at last the handler) on this input. */
export type ToolCallNext = (input: Readonly<Record<string, unknown>>) => Promise<unknown>;

/**
 * Wraps the handler of every tool call, after the policy and the input schema accepted the call and
 * before the output schema checks the answer (ToolExecutor). It may change the input `next` gets,
 * change the answer, wait, or throw a ToolError instead of calling `next`: every outcome then takes
 * the executor's one path (an error result, OUTPUT_CONTRACT for a broken answer). Several run
 * outermost first, in the order the token lists them.
 */
export interface ToolCallInterceptor {
  around(call: ToolCall, next: ToolCallNext): Promise<unknown>;
}
