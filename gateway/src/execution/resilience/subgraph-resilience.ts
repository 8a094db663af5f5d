import type { GraphQLDataSource } from '@apollo/gateway';
import type { Logger } from '@ficus/kit/service';
import type { GatewayContext } from '../gateway-context';
import { defaultSubgraphResilience, SubgraphResilienceConfig } from './config';
import { ResilientDataSource } from './resilient-data-source';
import { CircuitStateName, SubgraphCircuit } from './subgraph-circuit';
import { subgraphFailureOf } from './subgraph-failure';

/** What happens to subgraph circuits and retries, for metrics. */
export interface ResilienceObserver {
  transition?(subgraph: string, to: CircuitStateName): void;
  retried?(subgraph: string): void;
  shortCircuited?(subgraph: string): void;
}

/**
 * The circuits of every subgraph the gateway calls, one per subgraph name, shared by the
 * data sources of queries, mutations and subscription events, and kept across supergraph
 * reloads (a new one starts closed only when a subgraph's routing URL changes).
 */
export class SubgraphResilience {
  private readonly circuits = new Map<string, SubgraphCircuit>();
  private readonly observers: ResilienceObserver[] = [];

  constructor(
    private readonly config: SubgraphResilienceConfig,
    private readonly logger: Logger,
  ) {}

  /** Defaults: 5 consecutive failures open a circuit for 5 s; a refused or reset query is sent once more. */
  static withDefaults(logger: Logger): SubgraphResilience {
    return new SubgraphResilience(defaultSubgraphResilience, logger);
  }

  observe(observer: ResilienceObserver): void {
    this.observers.push(observer);
  }

  /** `inner`, the data source of `subgraph` at `url`, behind that subgraph's circuit. */
  guard(subgraph: string, url: string, inner: GraphQLDataSource<GatewayContext>): GraphQLDataSource<GatewayContext> {
    return new ResilientDataSource(this.circuitFor(subgraph, url), inner, this.config.retry, {
      retried: (name) => this.notifyRetried(name),
      shortCircuited: (name) => this.notifyShortCircuited(name),
    });
  }

  /** Whether a refused or reset read is sent once more (SUBGRAPH_RETRY). */
  get retries(): boolean {
    return this.config.retry;
  }

  notifyRetried(subgraph: string): void {
    this.observers.forEach((o) => o.retried?.(subgraph));
  }

  notifyShortCircuited(subgraph: string): void {
    this.observers.forEach((o) => o.shortCircuited?.(subgraph));
  }

  /** Each known subgraph's circuit state now. */
  states(): { subgraph: string; state: CircuitStateName }[] {
    return [...this.circuits.values()].map((circuit) => ({ subgraph: circuit.subgraph, state: circuit.state }));
  }

  /** The circuit of `subgraph` at `url`: the same one for every engine's requests to it. */
  circuitFor(subgraph: string, url: string): SubgraphCircuit {
    const known = this.circuits.get(subgraph);
    if (known?.url === url) return known;
    known?.dispose();
    const circuit = new SubgraphCircuit(
      subgraph,
      url,
      { failures: this.config.breakerFailures, halfOpenAfterMs: this.config.breakerHalfOpenAfterMs },
      (to, from) => this.transitioned(to, from),
    );
    this.circuits.set(subgraph, circuit);
    return circuit;
  }

  private transitioned(to: CircuitStateName, circuit: SubgraphCircuit): void {
    // A circuit replaced after a routing URL change may still see its last requests end.
    if (this.circuits.get(circuit.subgraph) !== circuit) return;
    const { subgraph } = circuit;
    if (to === 'open') {
      const err = circuit.lastFailure();
      this.logger.warn(
        { subgraph, failure: subgraphFailureOf(err), err, retryAfterMs: this.config.breakerHalfOpenAfterMs },
        `subgraph ${subgraph}: circuit open, its fields fail at once with SUBGRAPH_UNAVAILABLE`,
      );
    } else if (to === 'half-open') {
      this.logger.info({ subgraph }, `subgraph ${subgraph}: circuit half-open, probing with one request`);
    } else {
      this.logger.info({ subgraph }, `subgraph ${subgraph}: circuit closed, the subgraph answers again`);
    }
    this.observers.forEach((o) => o.transition?.(subgraph, to));
  }
}
