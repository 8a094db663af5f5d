import { loadSchemaFile, startSubgraph, SubgraphConfig, SubgraphDefinition, SubgraphHandle } from '@ficus/kit';
import type { InventoryContext } from './context';
import { migrations } from './db/migrations';
import { OrderHold } from './domain/order-hold';
import { Reservation } from './domain/reservation';
import { StockLevel } from './domain/stock-level';
import { onOrderCancelled } from './events/order-cancelled';
import { onOrderConfirmed } from './events/order-confirmed';
import { onOrderPlaced } from './events/order-placed';
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
    entities: [StockLevel, OrderHold, Reservation],
    migrations,
    // It publishes inventory.stock.*, so it owns the INVENTORY stream.
    publishesEvents: true,
    // One durable consumer per stream read: PRODUCTS (new products) and ORDERS (the saga).
    eventHandlers: ({ orm }) => [onProductCreated(orm), onOrderPlaced(orm), onOrderConfirmed(orm), onOrderCancelled(orm)],
    consumer: options.consumer,
    context: (base, { feeds }) => ({ ...base, loaders: createLoaders(base.em), feeds }),
  });
}
