import { ApolloGateway, ServiceMap, SupergraphManager } from '@apollo/gateway';
import type { ApolloServerOptionsWithGateway } from '@apollo/server';
import type { Logger, RequestSignature } from '@ficus/kit';
import { supergraphIdOf } from '../supergraph/registry-supergraph';
import type { GatewayContext } from './gateway-context';
import { SubgraphResilience } from './resilience/subgraph-resilience';
import { fetchWithTimeout, SubgraphDataSource } from './subgraph-data-source';
import type { ServedSupergraph } from './subscription-executor';
import { SubscriptionPlanner } from './subscription-planner';

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
  /**
   * What subscriptions run against (which @apollo/gateway refuses to execute): a planner of
   * our own over the same supergraph, built on first use, and data sources like the gateway's.
   */
  servedForSubscriptions(): ServedSupergraph | null;
}

export interface SupergraphExecutorOptions {
  /** A fixed supergraph SDL, or a manager that updates it (the registry). */
  supergraph: string | SupergraphManager;
  subgraphTimeoutMs: number;
  /** Signs every subgraph request over the request itself; null sends them unsigned. */
  signer: RequestSignature | null;
  logger: Logger;
  /**
   * The subgraphs' circuit breakers and retries (`new SubgraphResilience(config, logger)`,
   * whose metrics `registerSubgraphResilienceMetrics` registers). Defaults to
   * `SubgraphResilience.withDefaults`.
   */
  resilience?: SubgraphResilience;
  /** Called with the id of each supergraph that starts being served, and whether it replaces another. */
  onLoaded?(supergraphId: string, replacesAnother: boolean): void;
}

export function createSupergraphExecutor(options: SupergraphExecutorOptions): SupergraphExecutor {
  let servedId: string | null = null;
  let servedSdl: string | null = null;
  let forSubscriptions: ServedSupergraph | null = null;
  const fetcher = fetchWithTimeout(options.subgraphTimeoutMs);
  const resilience = options.resilience ?? SubgraphResilience.withDefaults(options.logger);
  const dataSourceFor = (name: string, url: string) =>
    resilience.guard(name, url, new SubgraphDataSource({ url, fetcher, signer: options.signer }));
  const gateway = new ApolloGateway({
    supergraphSdl: options.supergraph,
    logger: options.logger,
    buildService: ({ name, url }) => dataSourceFor(name, url ?? ''),
  });
  gateway.onSchemaLoadOrUpdate(({ coreSupergraphSdl }) => {
    const id = supergraphIdOf(coreSupergraphSdl);
    const replacesAnother = servedId !== null && servedId !== id;
    servedId = id;
    servedSdl = coreSupergraphSdl;
    if (forSubscriptions?.planner.supergraphId !== id) forSubscriptions = null;
    options.onLoaded?.(id, replacesAnother);
  });
  return {
    gateway,
    isLoaded: () => servedId !== null,
    servedSupergraphId: () => servedId,
    servedForSubscriptions() {
      if (forSubscriptions || !servedId || !servedSdl) return forSubscriptions;
      const planner = new SubscriptionPlanner(servedId, servedSdl);
      const dataSources: ServiceMap = {};
      for (const [name, url] of planner.subgraphUrls) dataSources[name] = dataSourceFor(name, url);
      forSubscriptions = { planner, dataSources };
      return forSubscriptions;
    },
  };
}
