import type * as OtelApi from '@opentelemetry/api';

/**
 * OpenTelemetry tracing for one process. It starts only when an OTLP endpoint is configured
 * (`OTEL_EXPORTER_OTLP_ENDPOINT` or `OTEL_EXPORTER_OTLP_TRACES_ENDPOINT`): otherwise not one
 * OpenTelemetry module is loaded, and every function here is a cheap no-op. It must run before
 * http, undici and pg are first required, so that their instrumentations can patch them: each
 * service's `main.ts` imports its `tracing.ts` first.
 */
export interface TracingOptions {
  /** `service.name` unless OTEL_SERVICE_NAME says otherwise, e.g. `ficus-orders`. */
  serviceName: string;
  /** Spans for GraphQL parse, validate and execute (subgraphs; the gateway has its own). */
  graphql?: boolean;
}

interface RunningTracing {
  api: typeof OtelApi;
  shutdown(): Promise<void>;
}

let running: RunningTracing | null = null;

/** The variables that turn tracing on, as the OpenTelemetry specification names them. */
export function tracingConfigured(env: NodeJS.ProcessEnv = process.env): boolean {
  if (env.OTEL_SDK_DISABLED?.trim().toLowerCase() === 'true') return false;
  if (env.OTEL_TRACES_EXPORTER?.split(',').some((name) => name.trim() === 'none')) return false;
  return Boolean(env.OTEL_EXPORTER_OTLP_ENDPOINT?.trim() || env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT?.trim());
}

/** Starts the OpenTelemetry Node SDK when configured; a second call does nothing. Returns whether tracing is on. */
export function startTracing(options: TracingOptions, env: NodeJS.ProcessEnv = process.env): boolean {
  if (running) return true;
  if (!tracingConfigured(env)) return false;
  // Required here, not imported: a process without an endpoint must not pay for loading the SDK.
  /* eslint-disable @typescript-eslint/no-require-imports */
  const api = require('@opentelemetry/api') as typeof OtelApi;
  const { NodeSDK } = require('@opentelemetry/sdk-node') as typeof import('@opentelemetry/sdk-node');
  const { instrumentations } = require('./instrumentations') as typeof import('./instrumentations');
  /* eslint-enable @typescript-eslint/no-require-imports */
  const sdk = new NodeSDK({
    serviceName: env.OTEL_SERVICE_NAME?.trim() || options.serviceName,
    instrumentations: instrumentations({ graphql: options.graphql ?? false }),
    // Traces only: metrics are prom-client's (/metrics) and logs are pino's, unless the
    // standard variables ask the SDK for them too.
    ...(env.OTEL_METRICS_EXPORTER ? {} : { metricReaders: [] }),
    ...(env.OTEL_LOGS_EXPORTER ? {} : { logRecordProcessors: [] }),
  });
  sdk.start();
  running = { api, shutdown: () => sdk.shutdown() };
  return true;
}

export function tracingEnabled(): boolean {
  return running !== null;
}

/** Ends tracing, exporting the spans still buffered. Called once a service has stopped. */
export async function stopTracing(): Promise<void> {
  const stopping = running;
  if (!stopping) return;
  running = null;
  await stopping.shutdown();
}

/** The trace id of the span in progress (for log lines), or undefined when tracing is off or no span is. */
export function currentTraceId(): string | undefined {
  if (!running) return undefined;
  const context = running.api.trace.getActiveSpan()?.spanContext();
  return context && running.api.isSpanContextValid(context) ? context.traceId : undefined;
}

/** The OpenTelemetry API when tracing is on, for the few places that make spans of their own. */
export function tracingApi(): typeof OtelApi | null {
  return running?.api ?? null;
}
