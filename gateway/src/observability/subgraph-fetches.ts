import { Counter, Histogram, Registry } from 'prom-client';
import type { SubgraphFetchObserver } from '../engine/ficus/execute/subgraph-client';

/**
 * `graphql_gateway_subgraph_fetch_duration_seconds{subgraph_name}` and
 * `graphql_gateway_subgraph_fetch_errors_total{subgraph_name, error_type}`. An error is a
 * request that got no GraphQL response (connection, timeout, server_error, bad_response), one
 * not sent because the circuit is open (unavailable, not timed), or a response with errors
 * (graphql_error). Returns the observer for one subgraph, its label children bound once.
 */
export function subgraphFetchMetrics(registry: Registry): (subgraph: string) => SubgraphFetchObserver {
  const duration = new Histogram({
    name: 'graphql_gateway_subgraph_fetch_duration_seconds',
    help: 'Requests from the gateway to a subgraph, from send to the whole response read, by subgraph (requests refused by an open circuit are not timed).',
    labelNames: ['subgraph_name'],
    buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers: [registry],
  });
  const errors = new Counter({
    name: 'graphql_gateway_subgraph_fetch_errors_total',
    help: 'Subgraph requests that failed, by subgraph and error type: connection, timeout, server_error, bad_response, unavailable (circuit open), graphql_error (a response carrying errors).',
    labelNames: ['subgraph_name', 'error_type'],
    registers: [registry],
  });
  return (subgraph) => {
    const timed = duration.labels(subgraph);
    const graphqlErrors = errors.labels(subgraph, 'graphql_error');
    return (seconds, result) => {
      if (result.ok) {
        timed.observe(seconds);
        if (result.body.errors?.length) graphqlErrors.inc();
        return;
      }
      if (result.failure !== 'unavailable') timed.observe(seconds);
      errors.inc({ subgraph_name: subgraph, error_type: result.failure.replace('-', '_') });
    };
  };
}
