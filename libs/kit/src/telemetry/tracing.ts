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
export function startTracing(options: TracingOptions): boolean {
  const env = process.env;
  if (running) return true;
  if (!tracingConfigured(env)) return false;
  // Required here, not imported: a process without an endpoint must not pay for loading the SDK.
  // The tracing part of the SDK only (not @opentelemetry/sdk-node, whose metrics, logs, gRPC and
  // Zipkin exporters would be loaded too, some 30 MB more in every process).
  /* eslint-disable @typescript-eslint/no-require-imports */
  const api = require('@opentelemetry/api') as typeof OtelApi;
  const { BatchSpanProcessor, NodeTracerProvider } = require('@opentelemetry/sdk-trace-node') as typeof import('@opentelemetry/sdk-trace-node');
  const resources = require('@opentelemetry/resources') as typeof import('@opentelemetry/resources');
  const { registerInstrumentations } = require('@opentelemetry/instrumentation') as typeof import('@opentelemetry/instrumentation');
  const { instrumentations } = require('./instrumentations') as typeof import('./instrumentations');
  const { otlpTraceExporter } = require('./trace-exporter') as typeof import('./trace-exporter');
  /* eslint-enable @typescript-eslint/no-require-imports */
  // OTEL_RESOURCE_ATTRIBUTES and OTEL_SERVICE_NAME (envDetector), the process and the host; the service's own name unless OTEL_SERVICE_NAME says otherwise.
  const resource = resources
    .defaultResource()
    .merge(resources.detectResources({ detectors: [resources.envDetector, resources.processDetector, resources.hostDetector] }))
    .merge(resources.resourceFromAttributes({ 'service.name': env.OTEL_SERVICE_NAME?.trim() || options.serviceName }));
  // The sampler (OTEL_TRACES_SAMPLER), span limits and batching (OTEL_BSP_*) are read from the environment by the SDK.
  const provider = new NodeTracerProvider({ resource, spanProcessors: [new BatchSpanProcessor(otlpTraceExporter(env))] });
  // W3C trace context and baggage, over HTTP and in NATS headers; AsyncLocalStorage carries the active span.
  provider.register();
  registerInstrumentations({ tracerProvider: provider, instrumentations: instrumentations({ graphql: options.graphql ?? false }) });
  running = { api, shutdown: () => provider.shutdown() };
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
