import { SpanKind, SpanStatusCode } from '@opentelemetry/api';
import type { Span } from '@opentelemetry/api';
import { inSpan, spanEvent } from './tracing.js';

/**
 * The runner's spans, one shape per step of a tick (names and attributes in one place). A tick is
 * one trace: `persona.tick` (root) → `chat <model>` per brain turn (GenAI semantic conventions),
 * `tool <name>` per tool call (its /mcp request continues the trace server-side), `persona.rating`
 * around the rating turn; findings are events on the span that is active when they are recorded.
 */

export interface TickSpanFacts {
  personaId: string;
  archetype: string;
  brain: string;
  model: string | null;
}

export interface TickSpanResult {
  tickId: string | null;
  status: string;
  toolCalls: number;
  tokensIn: number;
  tokensOut: number;
  costUsd: number;
  ratings: number;
  error: string | null;
}

export function tickSpan<T extends TickSpanResult>(facts: TickSpanFacts, fn: () => Promise<T>): Promise<T> {
  return inSpan(
    'persona.tick',
    {
      root: true,
      kind: SpanKind.INTERNAL,
      attributes: {
        'mana.persona.id': facts.personaId,
        'mana.persona.archetype': facts.archetype,
        'mana.brain': facts.brain,
        ...(facts.model ? { 'mana.brain.model': facts.model, 'gen_ai.request.model': facts.model } : {}),
      },
    },
    () => fn(),
    (span, r) => {
      span.setAttributes({
        'mana.tick.status': r.status,
        'mana.tick.tool_calls': r.toolCalls,
        'mana.tick.ratings': r.ratings,
        'mana.tick.cost_usd': r.costUsd,
        'gen_ai.usage.input_tokens': r.tokensIn,
        'gen_ai.usage.output_tokens': r.tokensOut,
        ...(r.tickId ? { 'mana.tick.id': r.tickId } : {}),
      });
      if (r.status !== 'ok') span.setStatus({ code: SpanStatusCode.ERROR, message: r.error ?? r.status });
    },
  );
}

export function ratingSpan<T extends { ratings: number; ratingError: string | null }>(
  modules: () => string[],
  fn: () => Promise<T>,
): Promise<T> {
  return inSpan('persona.rating', { attributes: {} }, fn, (span, r) => {
    span.setAttributes({ 'mana.rating.modules': modules(), 'mana.rating.count': r.ratings });
    if (r.ratingError) span.setStatus({ code: SpanStatusCode.ERROR, message: r.ratingError });
  });
}

export function toolCallSpan<T extends { ok: boolean; errorKind: string | null }>(
  tool: string,
  module: string,
  seq: number,
  fn: () => Promise<T>,
): Promise<T> {
  const started = performance.now();
  return inSpan(
    `tool ${tool}`,
    {
      kind: SpanKind.CLIENT,
      attributes: {
        'gen_ai.operation.name': 'execute_tool',
        'gen_ai.tool.name': tool,
        'mana.tool.module': module,
        'mana.tool.seq': seq,
      },
    },
    fn,
    (span, r) => {
      span.setAttributes({
        'mana.tool.outcome': r.errorKind ?? 'ok',
        'mana.tool.latency_ms': Math.round(performance.now() - started),
      });
      if (!r.ok) span.setStatus({ code: SpanStatusCode.ERROR, message: r.errorKind ?? 'error' });
    },
  );
}

/** The usage facts of one LLM answer, as the GenAI conventions name them. */
export interface LlmTurnResult {
  id?: string;
  model?: string;
  stop_reason?: string | null;
  usage?: {
    input_tokens?: number | null;
    output_tokens?: number | null;
    cache_creation_input_tokens?: number | null;
    cache_read_input_tokens?: number | null;
  } | null;
}

/** One brain turn: a `chat <model>` client span (all retries of the call inside it). */
export function llmTurnSpan<T extends LlmTurnResult>(
  system: string,
  request: { model: string; max_tokens?: number },
  fn: () => Promise<T>,
): Promise<T> {
  return inSpan(
    `chat ${request.model}`,
    {
      kind: SpanKind.CLIENT,
      attributes: {
        'gen_ai.system': system,
        'gen_ai.provider.name': system,
        'gen_ai.operation.name': 'chat',
        'gen_ai.request.model': request.model,
        ...(request.max_tokens !== undefined ? { 'gen_ai.request.max_tokens': request.max_tokens } : {}),
      },
    },
    fn,
    (span, m) => {
      const u = m.usage ?? {};
      span.setAttributes({
        'gen_ai.usage.input_tokens':
          (u.input_tokens ?? 0) + (u.cache_creation_input_tokens ?? 0) + (u.cache_read_input_tokens ?? 0),
        'gen_ai.usage.output_tokens': u.output_tokens ?? 0,
        ...(u.cache_read_input_tokens
          ? { 'gen_ai.usage.cache_read.input_tokens': u.cache_read_input_tokens }
          : {}),
        ...(u.cache_creation_input_tokens
          ? { 'gen_ai.usage.cache_creation.input_tokens': u.cache_creation_input_tokens }
          : {}),
        ...(m.id ? { 'gen_ai.response.id': m.id } : {}),
        ...(m.model ? { 'gen_ai.response.model': m.model } : {}),
        ...(m.stop_reason ? { 'gen_ai.response.finish_reasons': [m.stop_reason] } : {}),
      });
    },
  );
}

/** A finding, as an event on the active span (the tick's, or the rating turn's). */
export function findingEvent(finding: {
  seq: number | null;
  module: string;
  tool: string;
  class: string;
  check: string;
  source: string;
  personaMistake?: boolean;
}): void {
  spanEvent('mana.finding', {
    'mana.finding.class': finding.class,
    'mana.finding.check': finding.check,
    'mana.finding.source': finding.source,
    'mana.finding.module': finding.module,
    'mana.finding.tool': finding.tool,
    ...(finding.seq !== null ? { 'mana.finding.seq': finding.seq } : {}),
    ...(finding.personaMistake ? { 'mana.finding.persona_mistake': true } : {}),
  });
}

export type { Span };
