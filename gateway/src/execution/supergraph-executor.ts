import { ApolloGateway } from '@apollo/gateway';
import type { ApolloServerOptionsWithGateway } from '@apollo/server';
import type { Logger } from '@ficus/kit';
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
}

export interface SupergraphExecutorOptions {
  supergraphSdl: string;
  subgraphTimeoutMs: number;
  logger: Logger;
}

export function createSupergraphExecutor(options: SupergraphExecutorOptions): SupergraphExecutor {
  let loaded = false;
  const fetcher = fetchWithTimeout(options.subgraphTimeoutMs);
  const gateway = new ApolloGateway({
    supergraphSdl: options.supergraphSdl,
    logger: options.logger,
    buildService: ({ url }) => new SubgraphDataSource({ url, fetcher }),
  });
  gateway.onSchemaLoadOrUpdate(() => {
    loaded = true;
  });
  return { gateway, isLoaded: () => loaded };
}
