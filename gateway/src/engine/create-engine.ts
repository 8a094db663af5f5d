import type { Logger, RequestSignature } from '@ficus/kit/service';
import type { EngineConfig } from '../config';
import type { GatewayContext } from '../execution/gateway-context';
import type { SubgraphResilience } from '../execution/resilience/subgraph-resilience';
import type * as ApolloGatewayEngine from './apollo-gateway/apollo-gateway-engine';
import type { Engine } from './engine';
import type { InProcessSubgraphs } from './ficus/execute/in-process-transport';
import type { SubgraphFetchObserver } from './ficus/execute/subgraph-client';
import { createFicusEngine } from './ficus/ficus-engine';

export interface EngineDependencies {
  signer: RequestSignature | null;
  resilience: SubgraphResilience;
  subgraphTimeoutMs: number;
  logger: Logger;
  onOverrides?(inForce: readonly string[], notInForce: readonly string[], context: GatewayContext): void;
  onDeduplicated?(subgraph: string): void;
  /** The observer of one subgraph's requests (their duration and result), asked once per subgraph client. */
  observeFetches?(subgraph: string): SubgraphFetchObserver;
  /**
   * Subgraphs served in this process, by routing URL. The Ficus engine calls them in process;
   * the apollo-gateway engine keeps calling every subgraph over HTTP (their routing URLs still answer).
   */
  inProcess?: InProcessSubgraphs;
}

/** The engine the config names. */
export function createEngine(config: EngineConfig, deps: EngineDependencies): Engine {
  if (config.name === 'apollo-gateway') {
    // Loaded only when chosen: @apollo/gateway and its executor weigh tens of megabytes a Ficus-engine gateway never uses.
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const { createApolloGatewayEngine } = require('./apollo-gateway/apollo-gateway-engine') as typeof ApolloGatewayEngine;
    return createApolloGatewayEngine(deps);
  }
  return createFicusEngine({
    ...deps,
    deduplicate: config.deduplicate,
    overrideLabels: config.overrideLabels,
    planningTimeoutMs: config.planningTimeoutMs,
    planCacheSize: config.planCacheSize,
  });
}
