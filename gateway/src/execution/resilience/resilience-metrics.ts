import { Counter, Gauge, Registry } from 'prom-client';
import type { CircuitStateName } from './subgraph-circuit';
import type { SubgraphResilience } from './subgraph-resilience';

const stateValues: Record<CircuitStateName, number> = { closed: 0, 'half-open': 1, open: 2 };

/**
 * Registers on `registry`: each subgraph's circuit state (0 closed, 1 half-open, 2 open),
 * its transitions, retried requests and requests refused while the circuit was open.
 */
export function registerSubgraphResilienceMetrics(registry: Registry, resilience: SubgraphResilience): void {
  const registers = [registry];
  new Gauge({
    name: 'ficus_gateway_subgraph_circuit_state',
    help: "Each subgraph's circuit breaker: 0 closed, 1 half-open (one request probing), 2 open (its fields fail at once).",
    labelNames: ['subgraph'],
    registers,
    collect() {
      this.reset();
      for (const { subgraph, state } of resilience.states()) this.set({ subgraph }, stateValues[state]);
    },
  });
  const transitions = new Counter({
    name: 'ficus_gateway_subgraph_circuit_transitions_total',
    help: 'Circuit breaker transitions per subgraph, by the state entered: open, half-open, closed.',
    labelNames: ['subgraph', 'to'],
    registers,
  });
  const retries = new Counter({
    name: 'ficus_gateway_subgraph_retries_total',
    help: 'Query requests to a subgraph sent a second time after the connection was refused or reset.',
    labelNames: ['subgraph'],
    registers,
  });
  const refused = new Counter({
    name: 'ficus_gateway_subgraph_short_circuited_total',
    help: 'Subgraph requests not sent because the circuit was open: answered with SUBGRAPH_UNAVAILABLE.',
    labelNames: ['subgraph'],
    registers,
  });
  resilience.observe({
    transition: (subgraph, to) => transitions.inc({ subgraph, to }),
    retried: (subgraph) => retries.inc({ subgraph }),
    shortCircuited: (subgraph) => refused.inc({ subgraph }),
  });
}
