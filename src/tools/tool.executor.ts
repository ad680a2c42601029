import { Inject, Injectable, Logger, Optional } from '@nestjs/common';
import type { z } from 'zod';
import { $ZodAsyncError as zAsyncError } from 'zod/v4/core';
import { KeyUnavailableError } from '../crypto/key-unavailable.error.js';
import { SpaceKeysService } from '../crypto/space-keys.service.js';
import { findUnsafeText } from '../common/text-safety.pipe.js';
import { ToolPolicy } from './tool.policy.js';
import { ToolRegistry } from './tool.registry.js';
import { ToolError } from '../tool-contract/tool.error.js';
import { TOOL_CALL_INTERCEPTORS } from '../tool-contract/tool-call.interceptor.js';
import type { ToolCallInterceptor, ToolCallNext } from '../tool-contract/tool-call.interceptor.js';
import type { ToolContext } from '../tool-contract/tool.types.js';
import type {
  RegisteredTool,
  ToolCallOutcome,
  ToolCaller,
  ToolErrorKind,
  ToolWarning,
} from './tool.types.js';

/**
 * The one path every tool call takes, whoever invokes it (MCP gateway, runner, admin):
 * look up → policy → input schema → context → interceptors → handler → output schema → outcome.
 * The interceptors (TOOL_CALL_INTERCEPTORS, none by default) wrap the handler: what they throw or
 * answer is treated as the handler's own.
 * It never throws: every failure becomes an outcome with a message that says what went wrong.
 * Handler bugs (anything but a ToolError or crypto's KeyUnavailableError) are logged with the tool
 * name and stack, and answered with a generic "Internal error in <tool>". An answer that breaks the
 * tool's declared output schema is logged too and withheld: the caller gets OUTPUT_CONTRACT, which
 * says the tool broke its own contract without showing the answer.
 */
@Injectable()
export class ToolExecutor {
  private readonly logger = new Logger(ToolExecutor.name);
  private readonly toolLoggers = new Map<string, Logger>();

  constructor(
    @Inject(ToolRegistry) private readonly registry: ToolRegistry,
    @Inject(ToolPolicy) private readonly policy: ToolPolicy,
    @Inject(SpaceKeysService) private readonly keys: SpaceKeysService,
    @Optional()
    @Inject(TOOL_CALL_INTERCEPTORS)
    private readonly interceptors: readonly ToolCallInterceptor[] = [],
  ) {}

  async execute(name: string, input: unknown, caller: ToolCaller): Promise<ToolCallOutcome> {
    const tool = this.registry.get(name);
    if (!tool) {
      return fail(name, 'unknown_tool', 'UNKNOWN_TOOL', `Unknown tool "${truncate(name, 80)}"`);
    }
    let warnings: ToolWarning[] = [];
    try {
      const denial = await this.policy.authorize(tool.options, caller);
      if (denial) return fail(name, denial.kind, denial.code, denial.message);

      const unsafe = findUnsafeText(input ?? {}, '');
      if (unsafe) return fail(name, 'invalid_input', 'INVALID_INPUT', `Invalid input for ${name}: ${unsafe}`);
      const parsed = await parse(tool.options.input, input ?? {});
      if (!parsed.success) {
        return fail(
          name,
          'invalid_input',
          'INVALID_INPUT',
          `Invalid input for ${name}: ${describeIssues(parsed.error.issues)}`,
        );
      }
      warnings = this.policy.scan(tool.options, parsed.data);

      const result = await this.invoke(tool, parsed.data, caller);

      const checked = await parse(tool.options.output, result);
      if (!checked.success) {
        this.logger.error(
          { tool: name, issues: describeIssues(checked.error.issues) },
          `tool ${name} returned a result that does not match its output schema`,
        );
        return fail(
          name,
          'internal',
          'OUTPUT_CONTRACT',
          `tool ${name} produced an answer that does not match its declared output schema; it was withheld`,
          warnings,
        );
      }
      return { ok: true, tool: name, output: checked.data, warnings };
    } catch (error) {
      // expected failures: the handler's own, or crypto's when the space's key is not held server-side
      if (error instanceof ToolError || error instanceof KeyUnavailableError) {
        return fail(name, 'tool_error', error.code, error.message, warnings);
      }
      const err = error instanceof Error ? error : new Error(String(error));
      this.logger.error(
        { tool: name, err, stack: err.stack, invoker: caller.invoker },
        `unexpected error in tool ${name}: ${err.message}`,
      );
      return fail(name, 'internal', 'INTERNAL', `Internal error in ${name}`, warnings);
    }
  }

  /** The handler, run through the interceptors (the first listed outermost). */
  private invoke(tool: RegisteredTool, input: Record<string, unknown>, caller: ToolCaller): Promise<unknown> {
    const context = this.context(tool, caller);
    const handler: ToolCallNext = (given) => tool.handler(given, context);
    if (this.interceptors.length === 0) return handler(input);
    const { name, module } = tool.options;
    const call = {
      tool: name,
      module,
      caller: { user: context.user, spaceId: context.spaceId, invoker: context.invoker },
    };
    const run = this.interceptors.reduceRight<ToolCallNext>(
      (next, interceptor) => (given) => interceptor.around({ ...call, input: given }, next),
      handler,
    );
    return run(input);
  }

  private context(tool: RegisteredTool, caller: ToolCaller): ToolContext {
    let key: Promise<Buffer> | undefined;
    const { spaceId } = caller;
    const userId = caller.user.id;
    return {
      user: { id: userId, kind: caller.user.kind, tier: caller.user.tier },
      spaceId,
      invoker: caller.invoker,
      logger: this.loggerFor(tool.options.name),
      // lazy and memoised per call: a plaintext tool never touches the key vault
      spaceKey: () => (key ??= this.keys.getSpaceKey(spaceId, userId)),
    };
  }

  private loggerFor(name: string): Logger {
    let logger = this.toolLoggers.get(name);
    if (!logger) {
      logger = new Logger(`tool:${name}`);
      this.toolLoggers.set(name, logger);
    }
    return logger;
  }
}

function fail(
  tool: string,
  kind: ToolErrorKind,
  code: string,
  message: string,
  warnings: ToolWarning[] = [],
): ToolCallOutcome {
  return { ok: false, tool, kind, code, message, warnings };
}

/**
 * zod's synchronous parse (no promise per schema node); a schema with async refinements makes it
 * throw, and then the async parse runs instead.
 */
async function parse<S extends z.ZodType>(
  schema: S,
  value: unknown,
): Promise<z.ZodSafeParseResult<z.output<S>>> {
  try {
    return schema.safeParse(value);
  } catch (error) {
    if (error instanceof zAsyncError) return schema.safeParseAsync(value);
    throw error;
  }
}

/** `title: Too big: expected string to have <=200 characters; due: Invalid ISO date` */
export function describeIssues(issues: readonly z.core.$ZodIssue[]): string {
  return issues
    .slice(0, 10)
    .map((issue) => {
      const path = issue.path.map(String).join('.');
      if (issue.code === 'unrecognized_keys') {
        const where = path ? `${path}: ` : '';
        return `${where}unknown field${issue.keys.length > 1 ? 's' : ''} ${issue.keys.map((k) => `"${truncate(k, 40)}"`).join(', ')} (not allowed)`;
      }
      return `${path || '(input)'}: ${issue.message}`;
    })
    .join('; ');
}

function truncate(text: string, max: number): string {
  return text.length > max ? `${text.slice(0, max)}…` : text;
}
