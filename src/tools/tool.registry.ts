import { Inject, Injectable, Logger } from '@nestjs/common';
import type { OnModuleInit } from '@nestjs/common';
import { DiscoveryService, MetadataScanner, Reflector } from '@nestjs/core';
import { TOOL_METADATA } from '../tool-contract/tool.decorator.js';
import type { ToolContext, ToolOptions } from '../tool-contract/tool.types.js';
import type { RegisteredTool } from './tool.types.js';

const TOOL_NAME = /^[a-z][a-z0-9_]*\.[a-z][a-z0-9_]*$/;

/**
 * Every @Tool method in the app, discovered once at boot. A duplicate or malformed name fails the
 * boot: two tools answering to one name would make the audit trail lie.
 */
@Injectable()
export class ToolRegistry implements OnModuleInit {
  private readonly logger = new Logger(ToolRegistry.name);
  private readonly tools = new Map<string, RegisteredTool>();

  constructor(
    @Inject(DiscoveryService) private readonly discovery: DiscoveryService,
    @Inject(MetadataScanner) private readonly scanner: MetadataScanner,
    @Inject(Reflector) private readonly reflector: Reflector,
  ) {}

  onModuleInit(): void {
    for (const wrapper of this.discovery.getProviders()) {
      const instance = wrapper.instance as Record<string, unknown> | undefined;
      if (!instance || typeof instance !== 'object' || !wrapper.isDependencyTreeStatic()) continue;
      const prototype = Object.getPrototypeOf(instance) as object;
      for (const method of this.scanner.getAllMethodNames(prototype)) {
        const fn = instance[method];
        if (typeof fn !== 'function') continue;
        const options = this.reflector.get<ToolOptions | undefined>(TOOL_METADATA, fn as () => unknown);
        if (options) this.add(options, (input, ctx) => (fn as ToolHandler).call(instance, input, ctx));
      }
    }
    this.logger.log(`registered ${this.tools.size} tools in ${this.modules().length} modules`);
  }

  /** Also used by tests to prove the duplicate check. */
  add(options: ToolOptions, handler: RegisteredTool['handler']): void {
    if (!TOOL_NAME.test(options.name)) {
      throw new Error(`Tool name "${options.name}" must look like "<module>.<verb>" in lower case`);
    }
    if (!options.name.startsWith(`${options.module}.`)) {
      throw new Error(`Tool "${options.name}" must start with its module name "${options.module}."`);
    }
    if (this.tools.has(options.name)) throw new Error(`Duplicate tool name "${options.name}"`);
    this.tools.set(options.name, { options, handler });
  }

  get(name: string): RegisteredTool | undefined {
    return this.tools.get(name);
  }

  list(): RegisteredTool[] {
    return [...this.tools.values()].sort((a, b) => a.options.name.localeCompare(b.options.name));
  }

  byModule(): Map<string, RegisteredTool[]> {
    const out = new Map<string, RegisteredTool[]>();
    for (const tool of this.list()) {
      const list = out.get(tool.options.module) ?? [];
      list.push(tool);
      out.set(tool.options.module, list);
    }
    return out;
  }

  /** Modules that have at least one user-space tool (what a persona's module mix may name). */
  modules(): string[] {
    return [
      ...new Set(
        this.list()
          .filter((t) => t.options.scope === 'user-space')
          .map((t) => t.options.module),
      ),
    ].sort();
  }
}

type ToolHandler = (input: unknown, ctx: ToolContext) => Promise<unknown>;
