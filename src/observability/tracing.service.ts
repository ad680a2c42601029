import { Inject, Injectable, Logger } from '@nestjs/common';
import type { OnApplicationShutdown, OnModuleInit } from '@nestjs/common';
import { context, propagation, trace } from '@opentelemetry/api';
import { AppConfig } from '../config/app-config.js';
import { setTracingEnabled } from './tracing.js';
import type { TracingConfig } from '../config/tracing.config.js';

interface RunningSdk {
  shutdown(): Promise<void>;
}

/**
 * Starts the OpenTelemetry trace SDK when OTEL_EXPORTER_OTLP_ENDPOINT (or the traces one) is set:
 * a NodeTracerProvider (AsyncLocalStorage context, W3C trace context propagation), a batch span
 * processor and the OTLP/HTTP exporter for the configured protocol. With no endpoint nothing is
 * loaded: the SDK packages are imported only here, on demand.
 */
@Injectable()
export class TracingService implements OnModuleInit, OnApplicationShutdown {
  private readonly logger = new Logger(TracingService.name);
  private sdk?: RunningSdk;

  constructor(@Inject(AppConfig) private readonly config: AppConfig) {}

  /** At boot, before the app listens and before the runner's first tick. */
  async onModuleInit(): Promise<void> {
    const tracing = this.config.tracing;
    if (!tracing || this.sdk) return;
    this.sdk = await startSdk(tracing);
    setTracingEnabled(true);
    this.logger.log(`tracing on: OTLP ${tracing.protocol} to ${tracing.tracesUrl}`);
  }

  /** Sends what is still batched, then leaves the global API as it found it (a later app may start again). */
  async onApplicationShutdown(): Promise<void> {
    const sdk = this.sdk;
    if (!sdk) return;
    this.sdk = undefined;
    setTracingEnabled(false);
    try {
      await sdk.shutdown();
    } catch (error) {
      this.logger.warn(`tracing: the last spans could not be sent: ${(error as Error).message}`);
    }
  }
}

async function startSdk(tracing: TracingConfig): Promise<RunningSdk> {
  const [{ NodeTracerProvider, BatchSpanProcessor }, { resourceFromAttributes, defaultResource }] =
    await Promise.all([import('@opentelemetry/sdk-trace-node'), import('@opentelemetry/resources')]);
  const exporterOptions = { url: tracing.tracesUrl, headers: tracing.headers };
  const exporter =
    tracing.protocol === 'http/json'
      ? new (await import('@opentelemetry/exporter-trace-otlp-http')).OTLPTraceExporter(exporterOptions)
      : new (await import('@opentelemetry/exporter-trace-otlp-proto')).OTLPTraceExporter(exporterOptions);
  const provider = new NodeTracerProvider({
    resource: defaultResource().merge(
      resourceFromAttributes({ ...tracing.resourceAttributes, 'service.name': tracing.serviceName }),
    ),
    spanProcessors: [new BatchSpanProcessor(exporter, { scheduledDelayMillis: tracing.scheduleDelayMs })],
  });
  provider.register();
  return {
    shutdown: async () => {
      try {
        await provider.shutdown();
      } finally {
        trace.disable();
        context.disable();
        propagation.disable();
      }
    },
  };
}
