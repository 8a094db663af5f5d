import { circuitBreaker, CircuitBreakerPolicy, CircuitState, ConsecutiveBreaker, handleWhen, IDisposable } from 'cockatiel';
import { subgraphFailureOf } from './subgraph-failure';

export type CircuitStateName = 'closed' | 'half-open' | 'open';

/**
 * One subgraph's circuit breaker (cockatiel's, counting consecutive failures). Consecutive
 * rather than a failure rate: a dead subgraph fails every request, which a count notices at
 * any traffic, whereas a sampling breaker needs a minimum rate to decide and would never
 * open for a gateway serving a few requests a minute; and a subgraph failing only some
 * requests (one replica down) still answers most, so its circuit should stay closed.
 */
export class SubgraphCircuit {
  private readonly policy: CircuitBreakerPolicy | null;
  private readonly listeners: IDisposable[] = [];

  constructor(
    readonly subgraph: string,
    readonly url: string,
    options: { failures: number; halfOpenAfterMs: number },
    onTransition: (to: CircuitStateName, circuit: SubgraphCircuit) => void,
  ) {
    this.policy =
      options.failures > 0
        ? circuitBreaker(
            handleWhen((error) => subgraphFailureOf(error) !== null),
            { breaker: new ConsecutiveBreaker(options.failures), halfOpenAfter: options.halfOpenAfterMs },
          )
        : null;
    if (this.policy) this.listeners.push(this.policy.onStateChange((state) => onTransition(nameOf(state), this)));
  }

  get state(): CircuitStateName {
    return this.policy ? nameOf(this.policy.state) : 'closed';
  }

  /**
   * Whether a request may be sent now: not while open (unless the delay has passed, when the
   * request becomes the probe), nor while the probe is out. Cockatiel would make requests
   * wait for the probe, which may take a whole subgraph timeout; they fail at once instead.
   */
  admits(): boolean {
    return this.policy?.state !== CircuitState.HalfOpen && this.policy?.state !== CircuitState.Isolated;
  }

  /** Runs `send` through the breaker: throws cockatiel's BrokenCircuitError while open. */
  run<T>(send: () => Promise<T>): Promise<T> {
    return this.policy ? this.policy.execute(send) : send();
  }

  /** The last failure that opened or kept open the circuit, for logs. */
  lastFailure(): unknown {
    const failure = this.policy?.lastFailure;
    return failure && 'error' in failure ? failure.error : undefined;
  }

  dispose(): void {
    this.listeners.splice(0).forEach((listener) => listener.dispose());
  }
}

function nameOf(state: CircuitState): CircuitStateName {
  if (state === CircuitState.HalfOpen) return 'half-open';
  return state === CircuitState.Closed ? 'closed' : 'open';
}
