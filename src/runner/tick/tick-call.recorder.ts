import { performance } from 'node:perf_hooks';
import { clip } from '../../common/text.js';
import type { BrainTool, FindingReport, ToolCallOptions, ToolOutcome } from '../brains/brain.js';
import { inputHash } from '../canonical-json.js';
import { trajectoryText } from '../../personas/audit/trajectory-content.js';
import { findingEvent, toolCallSpan } from '../../observability/tick-spans.js';
import { ERROR_MESSAGE_MAX } from './mcp-tool-session.js';
import type { McpToolSession, RawToolResult } from './mcp-tool-session.js';
import type { RunnerEvents } from '../runner.events.js';
import type { RunnerMetrics } from '../runner.metrics.js';
import type { TickAudit } from './tick-store.js';
import { abortedByShutdown } from './tick-failure.js';

/** One call that reached the app, as the recorder remembers it for the rest of the tick. */
export interface MadeCall {
  seq: number;
  tool: string;
  module: string;
  origin: 'brain' | 'oracle';
  input: Record<string, unknown>;
  /** How it ended (absent while the call is under way). */
  result?: { ok: boolean; text: string };
}

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
  /** The audit keeps at most this many bytes of a call's input and of its answer (TRAJECTORY_MAX_BYTES). */
  trajectoryMaxBytes: number;
  /** The tick's audit writes, fenced by its lease (a taken-over runner's writes are refused). */
  audit: TickAudit;
  metrics: RunnerMetrics;
  events: RunnerEvents;
}

/**
 * A made-up tool name as the audit stores it: persona_actions.tool_name accepts letters, digits,
 * '_', '.', '-' (1–128 characters, not starting with '.' or '-'); anything else becomes '_'.
 */
export function auditToolName(name: string): string {
  const safe = name.replace(/[^A-Za-z0-9_.-]/g, '_').slice(0, 128);
  return /^[A-Za-z0-9_]/.test(safe) ? safe : `_${safe.slice(0, 127)}`;
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
  private readonly made: MadeCall[] = [];
  private readonly reported: FindingReport[] = [];
  private readonly used = new Set<string>();
  private readonly known: Map<string, BrainTool>;

  /** Above this a call is `call.slow` (FINDING_SLOW_MS; never for an external target's tools). */
  get slowMs(): number {
    return this.o.slowMs;
  }

  constructor(private readonly o: TickCallRecorderOptions) {
    this.known = new Map(o.tools.map((t) => [t.name, t]));
  }

  /** The persona's calls that reached the app (the oracle engine's probes are in the audit trail only). */
  get toolCalls(): number {
    return this.calls;
  }

  /** The declaration of a tool of this tick's server, by name. */
  tool(name: string): BrainTool | undefined {
    return this.known.get(name);
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
    if (!tool) return this.unknownTool(name, input);
    this.seq += 1;
    const seq = this.seq;
    const made: MadeCall = { seq, tool: name, module: tool.module, origin: options.origin ?? 'brain', input };
    this.made.push(made);
    const t0 = performance.now();
    const result = await toolCallSpan(name, tool.module, seq, () =>
      this.o.session.call(name, input, signal, this.o.remaining(), options.spaceId),
    );
    const latencyMs = Math.round(performance.now() - t0);
    // a call the shutdown cut short says nothing about the app: no audit row, the tick ends aborted
    if (!result.ok && abortedByShutdown(signal)) signal.throwIfAborted();
    made.result = { ok: result.ok, text: result.text };
    await this.recordAction(seq, name, input, result, latencyMs, options.origin ?? 'brain');
    this.count(seq, tool, result, options.origin ?? 'brain');
    await this.recordCallFindings(seq, tool, result, latencyMs, options);
    signal.throwIfAborted();
    return { ...result, latencyMs, seq };
  }

  /**
   * A name the model made up: nothing reaches the app, but the call gets its own seq and an audit
   * row (result error, kind `unknown_tool`), so the reports show the model's confusion. It is not an
   * app defect: no finding, no module used, and no entry a reported finding could point at.
   */
  private async unknownTool(name: string, input: Record<string, unknown>): Promise<ToolOutcome> {
    this.seq += 1;
    const seq = this.seq;
    const text = `There is no tool named "${clip(name, 200)}".`;
    const result: RawToolResult = { ok: false, errorKind: 'unknown_tool', text, data: undefined };
    await this.recordAction(seq, auditToolName(name), input, result, 0, 'brain');
    this.o.metrics.toolCalls.inc({ outcome: 'unknown_tool' });
    this.o.signal.throwIfAborted();
    return { ...result, latencyMs: 0, seq };
  }

  /** Every call that reached the app, by seq: what a model's reported findings may point at. */
  callsMade(): readonly MadeCall[] {
    return this.made;
  }

  /** Every finding of this tick so far, in the order reported. */
  findings(): readonly FindingReport[] {
    return this.reported;
  }

  async reportFinding(finding: FindingReport): Promise<void> {
    this.reported.push(finding);
    findingEvent(finding);
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
    origin: 'brain' | 'oracle',
  ): Promise<void> {
    const max = this.o.trajectoryMaxBytes;
    const kept = trajectoryText(input, max);
    const answer = trajectoryText(result.data !== undefined ? result.data : result.text, max);
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
        origin,
        input: kept?.text ?? null,
        output: answer?.text ?? null,
        inputTruncated: kept?.truncated ?? false,
        outputTruncated: answer?.truncated ?? false,
      },
    ]);
  }

  /** The tick's `toolCalls` and modules used are the persona's own; the oracle's probes are audited only. */
  private count(seq: number, tool: BrainTool, result: RawToolResult, origin: 'brain' | 'oracle'): void {
    if (origin === 'brain') {
      this.calls += 1;
      this.used.add(tool.module);
    }
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
