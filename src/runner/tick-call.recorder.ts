import { performance } from 'node:perf_hooks';
import { clip } from '../common/text.js';
import type { PersonaAuditService } from '../personas/persona-audit.service.js';
import type { BrainTool, FindingReport, ToolCallOptions, ToolOutcome } from './brains/brain.js';
import { inputHash } from './canonical-json.js';
import { ERROR_MESSAGE_MAX } from './mcp-tool-session.js';
import type { McpToolSession, RawToolResult } from './mcp-tool-session.js';
import type { RunnerEvents } from './runner.events.js';
import type { RunnerMetrics } from './runner.metrics.js';

/** What a recorder needs of its tick. */
export interface TickCallRecorderOptions {
  personaId: string;
  tickId: string;
  /** The brain's name: only a non-scripted brain's own invalid input counts as the persona's mistake. */
  brain: string;
  tools: readonly BrainTool[];
  session: McpToolSession;
  signal: AbortSignal;
  remaining: () => number;
  /** A call slower than this (ms) is a `slow` finding. */
  slowMs: number;
  audit: PersonaAuditService;
  metrics: RunnerMetrics;
  events: RunnerEvents;
}

/** How a failed call's text starts when the tool refused the input itself (schema validation). */
const INVALID_INPUT_PREFIX = 'Invalid input for';

/**
 * Every tool call of one tick goes through here: it numbers the call (seq), makes it over MCP,
 * records it in the audit trail before the brain sees the answer, counts it (metrics, live events),
 * and records the findings the call itself shows (it failed; it was slow). Findings the brain
 * reports go through `reportFinding`, written before it resolves.
 */
export class TickCallRecorder {
  private seq = 0;
  private calls = 0;
  private readonly made: Array<{ seq: number; tool: string; module: string }> = [];
  private readonly used = new Set<string>();
  private readonly known: Map<string, BrainTool>;

  constructor(private readonly o: TickCallRecorderOptions) {
    this.known = new Map(o.tools.map((t) => [t.name, t]));
  }

  /** Calls that reached the app (and are in the audit trail). */
  get toolCalls(): number {
    return this.calls;
  }

  /** The modules the persona used, sorted (the rating turn asks about these). */
  modulesUsed(): string[] {
    return [...this.used].sort();
  }

  async call(
    name: string,
    input: Record<string, unknown>,
    options: ToolCallOptions = {},
  ): Promise<ToolOutcome> {
    const { signal } = this.o;
    signal.throwIfAborted();
    const tool = this.known.get(name);
    if (!tool) {
      // a name the model made up: nothing reaches the app, so nothing goes in the audit trail (seq 0)
      return {
        ok: false,
        errorKind: 'tool',
        text: `There is no tool named "${name}".`,
        data: undefined,
        latencyMs: 0,
        seq: 0,
      };
    }
    this.seq += 1;
    const seq = this.seq;
    this.made.push({ seq, tool: name, module: tool.module });
    const t0 = performance.now();
    const result = await this.o.session.call(name, input, signal, this.o.remaining(), options.spaceId);
    const latencyMs = Math.round(performance.now() - t0);
    await this.recordAction(seq, name, input, result, latencyMs);
    this.count(seq, tool, result);
    await this.recordCallFindings(seq, tool, result, latencyMs, options);
    signal.throwIfAborted();
    return { ...result, latencyMs, seq };
  }

  /** Every call that reached the app, by seq: what a model's reported findings may point at. */
  callsMade(): ReadonlyArray<{ seq: number; tool: string; module: string }> {
    return this.made;
  }

  async reportFinding(finding: FindingReport): Promise<void> {
    await this.o.audit.recordFinding(this.o.personaId, { ...finding, tickId: this.o.tickId });
    if (!finding.personaMistake)
      this.o.metrics.findings.inc({ class: finding.class, source: finding.source });
  }

  private async recordAction(
    seq: number,
    name: string,
    input: Record<string, unknown>,
    result: RawToolResult,
    latencyMs: number,
  ): Promise<void> {
    await this.o.audit.recordActions(this.o.personaId, [
      {
        tickId: this.o.tickId,
        seq,
        toolName: name,
        inputHash: inputHash(input),
        result: result.ok ? 'ok' : 'error',
        errorKind: result.errorKind,
        errorMessage: result.ok ? null : clip(result.text, ERROR_MESSAGE_MAX),
        latencyMs,
      },
    ]);
  }

  private count(seq: number, tool: BrainTool, result: RawToolResult): void {
    this.calls += 1;
    this.used.add(tool.module);
    this.o.metrics.toolCalls.inc({ outcome: result.errorKind ?? 'ok' });
    this.o.events.emitAction({
      personaId: this.o.personaId,
      tickId: this.o.tickId,
      seq,
      toolName: tool.name,
      ok: result.ok,
    });
  }

  /**
   * The call's own findings: a failure is an `error` finding, a call slower than FINDING_SLOW_MS a
   * `slow` one. A call cut short by the tick's own abort (timeout, stop) shows nothing about the app.
   */
  private async recordCallFindings(
    seq: number,
    tool: BrainTool,
    result: RawToolResult,
    latencyMs: number,
    options: ToolCallOptions,
  ): Promise<void> {
    if (this.o.signal.aborted) return;
    const at = { seq, module: tool.module, tool: tool.name, source: 'call' as const };
    if (!result.ok && options.probe !== true) {
      const personaMistake =
        options.expectError === true ||
        (this.o.brain !== 'scripted' && result.text.startsWith(INVALID_INPUT_PREFIX));
      await this.reportFinding({
        ...at,
        class: 'error',
        check: 'call.failed',
        expected: 'a successful answer',
        got: result.text,
        personaMistake,
      });
    }
    if (latencyMs > this.o.slowMs) {
      await this.reportFinding({
        ...at,
        class: 'slow',
        check: 'call.slow',
        expected: `≤ ${this.o.slowMs} ms`,
        got: `${latencyMs} ms`,
      });
    }
  }
}
