import type { ClientRequest, IncomingMessage } from 'node:http';
import type { Span } from '@opentelemetry/api';
import type { Instrumentation } from '@opentelemetry/instrumentation';
import { GraphQLInstrumentation } from '@opentelemetry/instrumentation-graphql';
import { HttpInstrumentation } from '@opentelemetry/instrumentation-http';
import { PgInstrumentation } from '@opentelemetry/instrumentation-pg';
import { UndiciInstrumentation } from '@opentelemetry/instrumentation-undici';

/** Probes and scrapes come every few seconds from every launcher and Prometheus: a trace each would drown the real ones. */
const untracedPaths = new Set(['/health', '/ready', '/metrics']);

function pathOf(request: IncomingMessage): string {
  const url = request.url ?? '';
  const query = url.indexOf('?');
  return query === -1 ? url : url.slice(0, query);
}

const isProbe = (request: IncomingMessage) => untracedPaths.has(pathOf(request));

/**
 * Without a router instrumentation a server span is named by its method alone; the GraphQL
 * endpoint is the one route every service shares, so it is named and given `http.route` here.
 */
function nameGraphQLRequests(span: Span, request: IncomingMessage | ClientRequest): void {
  // Called for outgoing requests too (a ClientRequest has no httpVersion): those keep their names.
  if (!('httpVersion' in request) || pathOf(request) !== '/graphql') return;
  span.updateName(`${request.method ?? 'POST'} /graphql`);
  span.setAttribute('http.route', '/graphql');
}

/**
 * The libraries whose spans a service's traces are made of. Client spans (HTTP, undici,
 * SQL) are made only inside a trace: the outbox relay's polling, the registry's supergraph
 * polling and the like would otherwise each start a trace of their own.
 */
export function instrumentations(options: { graphql: boolean }): Instrumentation[] {
  const list: Instrumentation[] = [
    new HttpInstrumentation({ ignoreIncomingRequestHook: isProbe, requireParentforOutgoingSpans: true, requestHook: nameGraphQLRequests }),
    new UndiciInstrumentation({ requireParentforSpans: true }),
    new PgInstrumentation({ requireParentSpan: true }),
  ];
  // Resolver spans are costly and say little here: parse, validate and execute are enough.
  if (options.graphql) list.push(new GraphQLInstrumentation({ ignoreResolveSpans: true, mergeItems: true, ignoreTrivialResolveSpans: true }));
  return list;
}
