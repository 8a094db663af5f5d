import type { IncomingMessage } from 'node:http';
import type { Instrumentation } from '@opentelemetry/instrumentation';
import { GraphQLInstrumentation } from '@opentelemetry/instrumentation-graphql';
import { HttpInstrumentation } from '@opentelemetry/instrumentation-http';
import { PgInstrumentation } from '@opentelemetry/instrumentation-pg';
import { UndiciInstrumentation } from '@opentelemetry/instrumentation-undici';

/** Probes and scrapes come every few seconds from every launcher and Prometheus: a trace each would drown the real ones. */
const untracedPaths = new Set(['/health', '/ready', '/metrics']);

function isProbe(request: IncomingMessage): boolean {
  const url = request.url ?? '';
  const query = url.indexOf('?');
  return untracedPaths.has(query === -1 ? url : url.slice(0, query));
}

/**
 * The libraries whose spans a service's traces are made of. Client spans (HTTP, undici,
 * SQL) are made only inside a trace: the outbox relay's polling, the registry's supergraph
 * polling and the like would otherwise each start a trace of their own.
 */
export function instrumentations(options: { graphql: boolean }): Instrumentation[] {
  const list: Instrumentation[] = [
    new HttpInstrumentation({ ignoreIncomingRequestHook: isProbe, requireParentforOutgoingSpans: true }),
    new UndiciInstrumentation({ requireParentforSpans: true }),
    new PgInstrumentation({ requireParentSpan: true }),
  ];
  // Resolver spans are costly and say little here: parse, validate and execute are enough.
  if (options.graphql) list.push(new GraphQLInstrumentation({ ignoreResolveSpans: true, mergeItems: true, ignoreTrivialResolveSpans: true }));
  return list;
}
