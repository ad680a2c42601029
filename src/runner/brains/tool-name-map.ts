/** What the Messages API accepts as a tool name. */
export const API_TOOL_NAME = /^[a-zA-Z0-9_-]{1,64}$/;

/**
 * Maps the app's dotted tool names (`journal.add`) to names the Anthropic API accepts
 * (`journal_add`) and back, so the model sees valid names and the audit trail keeps the real ones.
 * Collision-safe: when two real names would map to the same API name (`journal.add` and an actual
 * `journal_add`), the later one (in sorted order, so the mapping is stable) gets a numbered suffix.
 */
export class ToolNameMap {
  private readonly toApiNames = new Map<string, string>();
  private readonly fromApiNames = new Map<string, string>();

  constructor(realNames: Iterable<string>) {
    const names = [...new Set(realNames)].sort();
    // names that are already API-safe keep themselves, so they are placed first
    for (const name of names.filter((n) => API_TOOL_NAME.test(n))) this.place(name, name);
    for (const name of names.filter((n) => !API_TOOL_NAME.test(n))) this.place(name, sanitize(name));
  }

  private place(real: string, wanted: string): void {
    let candidate = wanted;
    for (let n = 2; this.fromApiNames.has(candidate); n += 1) {
      const suffix = `_${n}`;
      candidate = `${wanted.slice(0, 64 - suffix.length)}${suffix}`;
    }
    this.toApiNames.set(real, candidate);
    this.fromApiNames.set(candidate, real);
  }

  toApi(realName: string): string {
    const name = this.toApiNames.get(realName);
    if (name === undefined) throw new Error(`Unknown tool "${realName}"`);
    return name;
  }

  /** The real name for an API name; undefined for a name the model made up. */
  fromApi(apiName: string): string | undefined {
    return this.fromApiNames.get(apiName);
  }

  get size(): number {
    return this.toApiNames.size;
  }
}

function sanitize(name: string): string {
  const safe = name.replace(/[^a-zA-Z0-9_-]/g, '_').slice(0, 64);
  return safe.length > 0 ? safe : 'tool';
}
