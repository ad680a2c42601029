import type { EnvReader } from './env-reader.js';

export type OtlpProtocol = 'http/protobuf' | 'http/json';

/** Where and how to send traces: present only when OTEL_EXPORTER_OTLP(_TRACES)_ENDPOINT is set. */
export interface TracingConfig {
  /** The full OTLP/HTTP traces URL (…/v1/traces). */
  tracesUrl: string;
  protocol: OtlpProtocol;
  /** OTEL_EXPORTER_OTLP(_TRACES)_HEADERS, e.g. Langfuse's `Authorization=Basic …`. */
  headers: Record<string, string>;
  serviceName: string;
  /** OTEL_RESOURCE_ATTRIBUTES, as key → value. */
  resourceAttributes: Record<string, string>;
  /** OTEL_BSP_SCHEDULE_DELAY: how long spans wait in the batch before they are sent. */
  scheduleDelayMs: number;
}

/**
 * The standard OTEL_* variables this server honours (OpenTelemetry SDK environment specification),
 * read with the rest of the configuration so a bad value stops the boot with the others. Tracing is
 * off unless an endpoint is set, and off again with OTEL_SDK_DISABLED=true or
 * OTEL_TRACES_EXPORTER=none. Only OTLP over HTTP is built in (no gRPC).
 */
export function readTracingConfig(r: EnvReader): TracingConfig | undefined {
  const base = r.optionalUrl('OTEL_EXPORTER_OTLP_ENDPOINT', ['http:', 'https:']);
  const traces = r.optionalUrl('OTEL_EXPORTER_OTLP_TRACES_ENDPOINT', ['http:', 'https:']);
  const disabled = r.bool('OTEL_SDK_DISABLED', false);
  const exporter = r.oneOf('OTEL_TRACES_EXPORTER', ['otlp', 'none'] as const, 'otlp');
  const protocol = r.oneOf(
    'OTEL_EXPORTER_OTLP_TRACES_PROTOCOL',
    ['http/protobuf', 'http/json'] as const,
    r.oneOf('OTEL_EXPORTER_OTLP_PROTOCOL', ['http/protobuf', 'http/json'] as const, 'http/protobuf'),
  );
  const headers = {
    ...otelList(r, 'OTEL_EXPORTER_OTLP_HEADERS'),
    ...otelList(r, 'OTEL_EXPORTER_OTLP_TRACES_HEADERS'),
  };
  const resourceAttributes = otelList(r, 'OTEL_RESOURCE_ATTRIBUTES');
  const serviceName = r.string('OTEL_SERVICE_NAME', resourceAttributes['service.name'] ?? 'mana-personas');
  const scheduleDelayMs = r.int('OTEL_BSP_SCHEDULE_DELAY', 5000, 0, 600_000);
  if (disabled || exporter === 'none' || (!base && !traces)) return undefined;
  // the signal-specific endpoint is used as given; the base one gets the signal's path (spec)
  const tracesUrl = traces ?? `${(base ?? '').replace(/\/+$/, '')}/v1/traces`;
  return { tracesUrl, protocol, headers, serviceName, resourceAttributes, scheduleDelayMs };
}

/** `key1=value1,key2=value2` with percent-encoded values (the W3C Baggage form the spec uses). */
function otelList(r: EnvReader, name: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const item of r.list(name, [])) {
    const at = item.indexOf('=');
    if (at <= 0) {
      r.fail(name, `must be key=value pairs separated by commas (got "${item.slice(0, 40)}")`);
      continue;
    }
    try {
      out[item.slice(0, at).trim()] = decodeURIComponent(item.slice(at + 1).trim());
    } catch {
      r.fail(name, `has a value that is not percent-encoded correctly (key "${item.slice(0, at)}")`);
    }
  }
  return out;
}
