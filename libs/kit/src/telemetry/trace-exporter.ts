import type { SpanExporter } from '@opentelemetry/sdk-trace-node';

/** The OTLP protocols the services export traces in; the exporters read the rest of OTEL_EXPORTER_OTLP_* themselves. */
const protocols = ['http/protobuf', 'http/json'] as const;

/**
 * The OTLP/HTTP exporter OTEL_EXPORTER_OTLP_TRACES_PROTOCOL (or OTEL_EXPORTER_OTLP_PROTOCOL)
 * names, protobuf by default as the specification has it. Another value (`grpc`) is refused
 * at start rather than exported to an endpoint that cannot read it.
 */
export function otlpTraceExporter(env: NodeJS.ProcessEnv): SpanExporter {
  const protocol = (env.OTEL_EXPORTER_OTLP_TRACES_PROTOCOL?.trim() || env.OTEL_EXPORTER_OTLP_PROTOCOL?.trim() || 'http/protobuf') as (typeof protocols)[number];
  /* eslint-disable @typescript-eslint/no-require-imports */
  switch (protocol) {
    case 'http/protobuf':
      return new (require('@opentelemetry/exporter-trace-otlp-proto') as typeof import('@opentelemetry/exporter-trace-otlp-proto')).OTLPTraceExporter();
    case 'http/json':
      return new (require('@opentelemetry/exporter-trace-otlp-http') as typeof import('@opentelemetry/exporter-trace-otlp-http')).OTLPTraceExporter();
    default:
      throw new Error(`OTEL_EXPORTER_OTLP_PROTOCOL must be one of ${protocols.join(', ')}, not ${JSON.stringify(protocol)}`);
  }
  /* eslint-enable @typescript-eslint/no-require-imports */
}
