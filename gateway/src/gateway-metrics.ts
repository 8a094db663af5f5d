import { ServiceMetrics } from '@ficus/kit/service';
import { Counter, Gauge, Histogram } from 'prom-client';
import { OperationDurations } from './observability/operation-durations';
import { errorClassOf } from './observability/operation-outcome';
import { OverrideOutcomes } from './observability/override-outcomes';
import { subgraphFetchMetrics } from './observability/subgraph-fetches';

/** The gateway's own Prometheus series, besides what every service exports (ServiceMetrics). */
export function gatewayMetrics(service: ServiceMetrics) {
  const registers = [service.registry];
  const overrides = new Counter({
    name: 'ficus_gateway_override_label_requests_total',
    help: 'Requests planned on a supergraph with progressive @override labels, by label and whether it was in force (the new owner served its fields).',
    labelNames: ['label', 'in_force'],
    registers,
  });
  // The gateway's operations are in graphql_gateway_operation_duration_seconds: the subgraphs' histogram, never fed here, is not exported.
  service.registry.removeSingleMetric('ficus_graphql_operation_seconds');
  const refused = new Counter({
    name: 'ficus_gateway_operations_refused_total',
    help: 'Operations the request pipeline refused before planning, by error code.',
    labelNames: ['code'],
    registers,
  });
  const refusals = new Counter({
    name: 'graphql_gateway_operation_refusals_total',
    help: 'Operations refused before planning, by reason (limit, cost, rate_limit, invalid, auth, unavailable, …) and error code.',
    labelNames: ['reason', 'code'],
    registers,
  });
  return {
    /** Counts a refusal before planning, in both the older and the newer series. */
    countRefusal(code: string) {
      refused.inc({ code });
      refusals.inc({ reason: errorClassOf(code), code });
    },
    operationDurations: new OperationDurations(service.registry),
    overrideOutcomes: new OverrideOutcomes(service.registry),
    subgraphFetches: subgraphFetchMetrics(service.registry),
    /** Counts one request's @override labels. */
    countOverrides(inForce: readonly string[], notInForce: readonly string[]) {
      for (const label of inForce) overrides.inc({ label, in_force: 'true' });
      for (const label of notInForce) overrides.inc({ label, in_force: 'false' });
    },
    deduplicated: new Counter({
      name: 'ficus_gateway_subgraph_requests_deduplicated_total',
      help: 'Subgraph reads that shared an identical request in flight instead of sending their own, by subgraph.',
      labelNames: ['subgraph'],
      registers,
    }),
    registry: service.registry,
    served: new Gauge({
      name: 'ficus_gateway_supergraph_info',
      help: 'The supergraph served (1), by id: the sha256 of its SDL.',
      labelNames: ['id'],
      registers,
    }),
    usageBatches: new Counter({
      name: 'ficus_gateway_usage_operations_total',
      help: 'Operations in usage batches sent to the registry, by outcome: sent, retried, dropped.',
      labelNames: ['outcome'],
      registers,
    }),
    webSocketConnections: new Gauge({
      name: 'ficus_gateway_websocket_connections',
      help: 'graphql-ws sockets the gateway accepted at connection_init and that are open now.',
      registers,
    }),
    subscriptionEvents: new Counter({
      name: 'ficus_gateway_subscription_events_total',
      help: 'Events from subgraphs for client subscriptions, by completion: ran the rest of the plan, or shared a run in flight for the same event, operation and identity.',
      labelNames: ['completion'],
      registers,
    }),
    overLimit: new Counter({
      name: 'ficus_gateway_operations_over_limit_total',
      help: 'Operations over a limit or the cost maximum that were served anyway (OPERATION_LIMITS_MODE=warn, COST_MODE=measure), by limit.',
      labelNames: ['limit'],
      registers,
    }),
    trustedDocuments: new Counter({
      name: 'ficus_gateway_trusted_documents_total',
      help: 'How each operation\'s document was found or refused by trusted documents and APQ, by outcome.',
      labelNames: ['outcome'],
      registers,
    }),
    cost: new Histogram({
      name: 'ficus_gateway_operation_cost',
      help: 'Demand-control cost of the operations served: estimated before execution, actual from the response.',
      labelNames: ['kind'],
      buckets: [1, 5, 10, 25, 50, 100, 250, 500, 1000, 2500, 5000, 10000],
      registers,
    }),
  };
}

export type GatewayMetrics = ReturnType<typeof gatewayMetrics>;
