import { Inject, Injectable, Logger } from '@nestjs/common';
import type { OnModuleInit } from '@nestjs/common';
import { DiscoveryService, MetadataScanner, Reflector } from '@nestjs/core';
import { z } from 'zod';
import { TOOL_METADATA } from '../tool-contract/tool.decorator.js';
import { ECHO_COMPARES, TOOL_EFFECTS } from '../tool-contract/tool-semantics.js';
import type { PublishedToolSemantics, ToolEffect, ToolSemantics } from '../tool-contract/tool-semantics.js';
import type { ToolContext, ToolOptions } from '../tool-contract/tool.types.js';
import type { RegisteredTool } from './tool.types.js';

const TOOL_NAME = /^[a-z][a-z0-9_]*\.[a-z][a-z0-9_]*$/;

/** The effects whose tools read an entity back (the default readers of that entity). */
const READER_EFFECTS: readonly ToolEffect[] = ['list', 'search', 'read'];

/**
 * Every @Tool method in the app, discovered once at boot. A duplicate or malformed name fails the
 * boot: two tools answering to one name would make the audit trail lie. So does a semantics
 * declaration that names an input the tool does not take or misses what its effect needs: the
 * oracle engine and MCP clients read the declaration, so it must at least fit the tool's schemas.
 */
@Injectable()
export class ToolRegistry implements OnModuleInit {
  private readonly logger = new Logger(ToolRegistry.name);
  private readonly tools = new Map<string, RegisteredTool>();
  /** Published semantics by tool name; rebuilt when a tool is added (readers span tools). */
  private publishedCache: Map<string, PublishedToolSemantics> | undefined;

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
    // explicit readers can only be checked once every tool is known
    for (const { options } of this.tools.values()) this.checkReaders(options);
    this.logger.debug(`registered ${this.tools.size} tools in ${this.modules().length} modules`);
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
    const problems = semanticsProblems(options);
    if (problems.length > 0) {
      throw new Error(`Tool "${options.name}" declares semantics that do not fit it: ${problems.join('; ')}`);
    }
    this.tools.set(options.name, { options, handler });
    this.publishedCache = undefined;
  }

  get(name: string): RegisteredTool | undefined {
    return this.tools.get(name);
  }

  list(): RegisteredTool[] {
    return [...this.tools.values()].sort((a, b) => a.options.name.localeCompare(b.options.name));
  }

  /**
   * The semantics a tool publishes (tools/list `_meta["mana/semantics"]`): its declaration with the
   * readers filled in — the declared list, else every tool of the same entity whose effect is list,
   * search or read.
   */
  published(name: string): PublishedToolSemantics | undefined {
    this.publishedCache ??= this.publishAll();
    return this.publishedCache.get(name);
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

  private publishAll(): Map<string, PublishedToolSemantics> {
    const readersOf = new Map<string, string[]>();
    for (const { options } of this.list()) {
      if (!READER_EFFECTS.includes(options.semantics.effect)) continue;
      const entity = options.semantics.entity;
      readersOf.set(entity, [...(readersOf.get(entity) ?? []), options.name]);
    }
    const out = new Map<string, PublishedToolSemantics>();
    for (const { options } of this.tools.values()) {
      const { semantics } = options;
      const readers = semantics.readers ?? readersOf.get(semantics.entity) ?? [];
      out.set(options.name, { ...semantics, readers: [...readers] });
    }
    return out;
  }

  private checkReaders(options: ToolOptions): void {
    for (const reader of options.semantics.readers ?? []) {
      if (!this.tools.has(reader)) {
        throw new Error(
          `Tool "${options.name}" declares semantics that do not fit it: reader "${reader}" is not a registered tool`,
        );
      }
    }
  }
}

type ToolHandler = (input: unknown, ctx: ToolContext) => Promise<unknown>;

/** The effects that answer one row at `result`. */
const ROW_EFFECTS: readonly ToolEffect[] = ['create', 'read', 'update', 'action'];
/** The effects that act on a row the input names. */
const ID_EFFECTS: readonly ToolEffect[] = ['update', 'delete', 'action'];

/**
 * Everything wrong with a tool's semantics declaration, as short phrases (empty when it fits):
 * fields it names must exist in the input object (and, for answer paths, in the output schema),
 * and each effect must say what its checks need.
 */
export function semanticsProblems(options: ToolOptions): string[] {
  const s = options.semantics as ToolSemantics | undefined;
  if (!s || typeof s !== 'object') return ['no semantics declared'];
  const problems: string[] = [];
  const inputs = new Set(Object.keys(options.input.shape));
  const input = (what: string, field: string | undefined) => {
    if (field !== undefined && !inputs.has(field)) problems.push(`${what} "${field}" is not an input field`);
  };
  const answer = (what: string, path: string) => {
    if (resolvePath(options.output, path) === MISSING) {
      problems.push(`${what} "${path}" is not in the output schema`);
    }
  };

  if (!TOOL_EFFECTS.includes(s.effect))
    problems.push(`effect "${String(s.effect)}" is not one of ${TOOL_EFFECTS.join(', ')}`);
  if (typeof s.entity !== 'string' || s.entity.length === 0) problems.push('entity is missing');
  if (typeof s.idempotent !== 'boolean') problems.push('idempotent must be true or false');
  if (ROW_EFFECTS.includes(s.effect) && !s.result)
    problems.push(`effect "${s.effect}" needs result (the row's path)`);
  if (s.effect === 'delete' && !s.result)
    problems.push('effect "delete" needs result (the path of the id it echoes)');
  if (ID_EFFECTS.includes(s.effect) && !s.idInput) problems.push(`effect "${s.effect}" needs idInput`);
  if ((s.effect === 'list' || s.effect === 'search') && !s.list)
    problems.push(`effect "${s.effect}" needs list`);
  if (s.effect === 'search' && !s.search) problems.push('effect "search" needs search');

  // annotations are derived from policy and semantics: the two must agree
  if (options.policy === 'read' && !READER_EFFECTS.includes(s.effect)) {
    problems.push(`a read-policy tool cannot have effect "${s.effect}"`);
  }
  if (options.policy === 'read' && s.idempotent !== true) problems.push('a read-policy tool is idempotent');
  if (s.effect === 'delete' && options.policy !== 'destructive') {
    problems.push('effect "delete" needs policy "destructive"');
  }

  input('idInput', s.idInput);
  if (s.result) answer('result', s.result);
  const row = s.result && s.effect !== 'delete' ? `${s.result}.` : '';
  for (const echo of s.echo ?? []) {
    input('echo input', echo.input);
    if (!ECHO_COMPARES.includes(echo.compare))
      problems.push(`echo "${echo.input}": unknown compare "${String(echo.compare)}"`);
    if (row) answer('echo field', `${row}${echo.field ?? echo.input}`);
    if (echo.when) answer('echo when path', echo.when.path);
  }
  for (const field of Object.keys(s.sets ?? {})) if (row) answer('sets field', `${row}${field}`);
  for (const when of s.setsWhen ?? []) {
    input('setsWhen input', when.input);
    for (const field of Object.keys(when.sets)) if (row) answer('setsWhen field', `${row}${field}`);
  }

  if (s.list) {
    const items = s.list.items ?? 'items';
    answer('list items', items);
    const item = (what: string, field: string) => answer(what, `${items}.${field}`);
    if (s.list.limit) input('list limit input', s.list.limit.input);
    const order = s.list.order;
    if (order && 'input' in order) {
      input('list order input', order.input);
      if (!(order.default in order.byValue))
        problems.push(`list order default "${order.default}" has no keys`);
      for (const keys of Object.values(order.byValue)) for (const k of keys) item('order field', k.field);
    } else if (order) {
      for (const k of order.fixed) item('order field', k.field);
    }
    for (const filter of s.list.filters ?? []) {
      input(`${filter.kind} filter input`, filter.input);
      item(`${filter.kind} filter field`, filter.field);
      if (filter.kind === 'overlaps') {
        input('overlaps filter inputEnd', filter.inputEnd);
        item('overlaps filter endField', filter.endField);
      }
    }
    if (s.list.unreadableFlag) item('unreadableFlag', s.list.unreadableFlag);
    if (s.list.scan) {
      answer('scan scanned', s.list.scan.scanned);
      if (s.list.scan.unreadable) answer('scan unreadable', s.list.scan.unreadable);
      if (s.list.scan.windowFull) answer('scan windowFull', s.list.scan.windowFull.field);
    }
    if (s.list.truncated) answer('truncated flag', s.list.truncated.field);
    if (s.search) for (const field of s.search.fields) item('search field', field);
  }
  if (s.search) input('search query', s.search.query);

  for (const d of s.derived ?? []) {
    answer(`derived ${d.rule}`, d.field);
    if (d.rule === 'word-count') {
      // `of` is a field of the row that holds `field`
      const parent = d.field.split('.').slice(0, -1).join('.');
      answer('derived word-count of', parent ? `${parent}.${d.of}` : d.of);
    } else {
      answer(`derived ${d.rule} of`, d.of);
    }
  }
  return problems;
}

const MISSING = Symbol('missing');

/**
 * The schema at a dotted path of an answer (arrays are stepped through: `items.level`), MISSING
 * when an object on the way has no such key, or undefined when the schema cannot be walked (a
 * union, a transform): then the path is taken on trust.
 */
function resolvePath(schema: z.ZodType, path: string): z.ZodType | typeof MISSING | undefined {
  let current: z.ZodType = schema;
  for (const key of path.split('.')) {
    current = unwrap(current);
    while (current instanceof z.ZodArray) current = unwrap(current.element as z.ZodType);
    if (!(current instanceof z.ZodObject)) return undefined;
    const next = (current.shape as Record<string, z.ZodType>)[key];
    if (!next) return MISSING;
    current = next;
  }
  return current;
}

function unwrap(schema: z.ZodType): z.ZodType {
  let current = schema;
  while (
    current instanceof z.ZodOptional ||
    current instanceof z.ZodNullable ||
    current instanceof z.ZodDefault
  ) {
    current = current.unwrap() as z.ZodType;
  }
  return current;
}
