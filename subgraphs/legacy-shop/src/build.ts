import { loadSchemaFile, startSubgraph, SubgraphConfig, SubgraphDefinition, SubgraphHandle } from '@ficus/kit';
import type { LegacyShopContext } from './context';
import { migrations } from './db/migrations';
import { ShopOrder } from './domain/shop-order';
import { ShopProduct } from './domain/shop-product';
import { onOrderPlaced } from './events/order-placed';
import { onProductCreated } from './events/product-created';
import { createLoaders } from './graphql/loaders';
import { resolvers } from './graphql/resolvers';

export interface LegacyShopOptions {
  /** Redelivery tuning for the event consumer; tests shorten it. */
  consumer?: SubgraphDefinition<LegacyShopContext>['consumer'];
}

/** Wires the legacy shop; `config.port` 0 picks a free port. */
export function build(config: SubgraphConfig, options: LegacyShopOptions = {}): Promise<SubgraphHandle> {
  return startSubgraph<LegacyShopContext>(config, {
    typeDefs: loadSchemaFile(__dirname),
    resolvers,
    entities: [ShopProduct, ShopOrder],
    migrations,
    // The shop announces nothing: while it serves beside the new subgraphs, it follows their events
    // (products and orders are written there), so its tables answer what the new owners would.
    publishesEvents: false,
    eventHandlers: ({ orm }) => [onProductCreated(orm), onOrderPlaced(orm)],
    consumer: options.consumer,
    context: (base) => ({ ...base, loaders: createLoaders(base.em) }),
  });
}
