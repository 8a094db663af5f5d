import { Histogram, Registry } from 'prom-client';
import type { OperationOutcome } from './operation-outcome';

type Labels = 'graphql_operation_name' | 'graphql_operation_type' | 'outcome';
type Child = Histogram.Internal<Labels>;

/**
 * `graphql_gateway_operation_duration_seconds`: each operation from its request's arrival to
 * its response (the first part of an incremental one), by operation name, type and outcome.
 * The label children are bound once per combination and kept, so a request costs three map
 * reads and an observe, not a label lookup by string key.
 */
export class OperationDurations {
  private readonly histogram: Histogram<Labels>;
  private readonly children = new Map<string, Map<string, Map<OperationOutcome, Child>>>();

  constructor(registry: Registry) {
    this.histogram = new Histogram({
      name: 'graphql_gateway_operation_duration_seconds',
      help: 'GraphQL operations served by the gateway, from request to response, by operation name (validated ones only, bounded), type (query, mutation; unknown when refused before validation) and outcome (success or the class of the first error).',
      labelNames: ['graphql_operation_name', 'graphql_operation_type', 'outcome'],
      buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
      registers: [registry],
    });
  }

  observe(name: string, type: string, outcome: OperationOutcome, seconds: number): void {
    let byType = this.children.get(name);
    if (!byType) this.children.set(name, (byType = new Map()));
    let byOutcome = byType.get(type);
    if (!byOutcome) byType.set(type, (byOutcome = new Map()));
    let child = byOutcome.get(outcome);
    if (!child) byOutcome.set(outcome, (child = this.histogram.labels(name, type, outcome)));
    child.observe(seconds);
  }
}
