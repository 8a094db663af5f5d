import { ApolloGateway, SupergraphManager } from '@apollo/gateway';
import type { ApolloServerOptionsWithGateway } from '@apollo/server';
import type { Logger } from '@ficus/kit';
import { supergraphIdOf } from '../supergraph/registry-supergraph';
import type { GatewayContext } from './gateway-context';
import { fetchWithTimeout, SubgraphDataSource } from './subgraph-data-source';

/**
 * Plans and executes operations over the subgraphs. Apollo Server serves `gateway`; what
 * sits behind it is ours to replace (subscriptions, @authenticated, progressive
 * @override and speed are what @apollo/gateway 2.14 lacks — see DESIGN.md).
 */
export interface SupergraphExecutor {
  readonly gateway: ApolloServerOptionsWithGateway<GatewayContext>['gateway'];
  /** True once a supergraph is loaded and operations can be planned. */
  isLoaded(): boolean;
  /** The id (sha256 of the SDL) of the supergraph served, or null before the first loads. */
  servedSupergraphId(): string | null;
}

export interface SupergraphExecutorOptions {
  /** A fixed supergraph SDL, or a manager that updates it (the registry). */
  supergraph: string | SupergraphManager;
  subgraphTimeoutMs: number;
  logger: Logger;
  /** Called with the id of each supergraph that starts being served. */
  onLoaded?(supergraphId: string): void;
}

export function createSupergraphExecutor(options: SupergraphExecutorOptions): SupergraphExecutor {
  let servedId: string | null = null;
  const fetcher = fetchWithTimeout(options.subgraphTimeoutMs);
  const gateway = new ApolloGateway({
    supergraphSdl: options.supergraph,
    logger: options.logger,
    buildService: ({ url }) => new SubgraphDataSource({ url, fetcher }),
  });
  gateway.onSchemaLoadOrUpdate(({ coreSupergraphSdl }) => {
    servedId = supergraphIdOf(coreSupergraphSdl);
    options.onLoaded?.(servedId);
  });
  return { gateway, isLoaded: () => servedId !== null, servedSupergraphId: () => servedId };
}
