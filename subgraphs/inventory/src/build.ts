import { loadSchemaFile, startSubgraph, SubgraphConfig, SubgraphDefinition, SubgraphHandle } from '@ficus/kit';
import type { InventoryContext } from './context';
import { migrations } from './db/migrations';
import { StockLevel } from './domain/stock-level';
import { onProductCreated } from './events/product-created';
import { createLoaders } from './graphql/loaders';
import { resolvers } from './graphql/resolvers';

export interface InventoryOptions {
  /** Redelivery tuning for the event consumer; tests shorten it. */
  consumer?: SubgraphDefinition<InventoryContext>['consumer'];
}

/** Wires the inventory subgraph; `config.port` 0 picks a free port. */
export function build(config: SubgraphConfig, options: InventoryOptions = {}): Promise<SubgraphHandle> {
  return startSubgraph<InventoryContext>(config, {
    typeDefs: loadSchemaFile(__dirname),
    resolvers,
    entities: [StockLevel],
    migrations,
    // It publishes inventory.stock.changed, so it owns the INVENTORY stream.
    publishesEvents: true,
    eventHandlers: ({ orm }) => [onProductCreated(orm)],
    consumer: options.consumer,
    context: (base) => ({ ...base, loaders: createLoaders(base.em) }),
  });
}
