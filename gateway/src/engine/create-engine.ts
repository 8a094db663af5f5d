import type { Logger, RequestSignature } from '@ficus/kit';
import type { EngineConfig } from '../config';
import type { SubgraphResilience } from '../execution/resilience/subgraph-resilience';
import { createApolloGatewayEngine } from './apollo-gateway/apollo-gateway-engine';
import type { Engine } from './engine';
import { createFicusEngine } from './ficus/ficus-engine';

export interface EngineDependencies {
  signer: RequestSignature | null;
  resilience: SubgraphResilience;
  subgraphTimeoutMs: number;
  logger: Logger;
  onOverrides?(inForce: readonly string[], notInForce: readonly string[]): void;
  onDeduplicated?(subgraph: string): void;
}

/** The engine the config names. */
export function createEngine(config: EngineConfig, deps: EngineDependencies): Engine {
  if (config.name === 'apollo-gateway') return createApolloGatewayEngine(deps);
  return createFicusEngine({
    ...deps,
    deduplicate: config.deduplicate,
    overrideLabels: config.overrideLabels,
    planningTimeoutMs: config.planningTimeoutMs,
    planCacheSize: config.planCacheSize,
  });
}
