import { SpanKind, SpanStatusCode, context, propagation, trace } from '@opentelemetry/api';
import type { Attributes, Context, Span, SpanOptions } from '@opentelemetry/api';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { TracingConfig } from '../config/tracing.config.js';

/** The instrumentation scope of every span this server makes. */
export const TRACER_NAME = 'mana-personas';

/**
 * Set by TracingService when an SDK is running. While it is false (the default: no
 * OTEL_EXPORTER_OTLP_ENDPOINT) every helper below calls straight through: no span object, no
 * context switch, no header written.
 */
let enabled = false;

export function tracingEnabled(): boolean {
  return enabled;
}

export function setTracingEnabled(value: boolean): void {
  enabled = value;
}

/** A span that records nothing, handed to callbacks while tracing is off. */
const OFF = trace.wrapSpanContext({ traceId: '0'.repeat(32), spanId: '0'.repeat(16), traceFlags: 0 });

/**
 * Runs `fn` inside a new active span and ends it when `fn` settles: an exception marks it ERROR
 * (and is rethrown); `end` may add attributes from the result and decide the status.
 */
export async function inSpan<T>(
  name: string,
  options: SpanOptions,
  fn: (span: Span) => Promise<T>,
  end?: (span: Span, result: T) => void,
  parent?: Context,
): Promise<T> {
  if (!enabled) return fn(OFF);
  const tracer = trace.getTracer(TRACER_NAME);
  return tracer.startActiveSpan(name, options, parent ?? context.active(), async (span) => {
    try {
      const result = await fn(span);
      end?.(span, result);
      return result;
    } catch (error) {
      markFailed(span, error);
      throw error;
    } finally {
      span.end();
    }
  });
}

export function markFailed(span: Span, error: unknown): void {
  const message = error instanceof Error ? error.message : String(error);
  span.setStatus({ code: SpanStatusCode.ERROR, message: message.slice(0, 500) });
  span.setAttribute('error.type', error instanceof Error ? error.constructor.name : 'Error');
}

/** Adds an event to the active span (a finding, say); nothing while tracing is off. */
export function spanEvent(name: string, attributes: Attributes): void {
  if (!enabled) return;
  trace.getActiveSpan()?.addEvent(name, attributes);
}

/** Writes the active trace context (`traceparent`, `tracestate`) into outgoing request headers. */
export function injectTraceHeaders(headers: Headers): void {
  if (!enabled) return;
  propagation.inject(context.active(), headers, { set: (carrier, key, value) => carrier.set(key, value) });
}

/**
 * The server span of one incoming request, continuing the caller's trace when its headers carry one
 * (`traceparent`). Returns undefined while tracing is off.
 */
export function startServerSpan(
  name: string,
  headers: Record<string, string | string[] | undefined>,
  attributes: Attributes,
): { span: Span; context: Context } | undefined {
  if (!enabled) return undefined;
  const parent = propagation.extract(context.active(), headers, {
    get: (carrier, key) => carrier[key],
    keys: (carrier) => Object.keys(carrier),
  });
  const span = trace.getTracer(TRACER_NAME).startSpan(name, { kind: SpanKind.SERVER, attributes }, parent);
  return { span, context: trace.setSpan(parent, span) };
}

export type { TracingConfig };

/**
 * Runs `serve` inside the server span of one HTTP request (`<METHOD> <route>`, kind SERVER), which
 * continues the caller's trace and ends when the response closes, with its status code. While
 * tracing is off it is `serve()`.
 */
export function traceServerRequest<T>(
  req: IncomingMessage,
  res: ServerResponse,
  route: string,
  serve: () => T,
): T {
  const started = startServerSpan(`${req.method ?? 'GET'} ${route}`, req.headers, {
    'http.request.method': req.method ?? 'GET',
    'http.route': route,
    'url.path': route,
  });
  if (!started) return serve();
  res.once('close', () => {
    started.span.setAttribute('http.response.status_code', res.statusCode);
    if (res.statusCode >= 500) started.span.setStatus({ code: SpanStatusCode.ERROR });
    started.span.end();
  });
  return context.with(started.context, serve);
}

/** Adds attributes to the active span (nothing while tracing is off). */
export function setSpanAttributes(attributes: Attributes): void {
  if (!enabled) return;
  trace.getActiveSpan()?.setAttributes(attributes);
}
