import { loadSchemaFile, SharedReads, startSubgraph, SubgraphDefinition, SubgraphHandle } from '@ficus/kit';
import type { OrdersConfig } from './config';
import type { OrdersContext } from './context';
import { migrations } from './db/migrations';
import { CatalogProduct } from './domain/catalog-product';
import { Order, OrderRow } from './domain/order';
import { OrderItem } from './domain/order-item';
import { PaymentTimeoutSweeper } from './domain/payment-timeout-sweeper';
import { countSagaOutcomes } from './domain/saga-outcomes';
import { onProductCreated } from './events/product-created';
import { onPaymentDeclined, onPaymentSucceeded, onStockRejected, onStockReserved } from './events/saga-steps';
import { createLoaders } from './graphql/loaders';
import { resolvers } from './graphql/resolvers';

export interface OrdersOptions {
  /** Redelivery tuning for the event consumer; tests shorten it. */
  consumer?: SubgraphDefinition<OrdersContext>['consumer'];
}

/** Wires the orders subgraph and its payment-timeout sweeper; `config.port` 0 picks a free port. */
export async function build(config: OrdersConfig, options: OrdersOptions = {}): Promise<SubgraphHandle> {
  const orderReads = new SharedReads<OrderRow | null>();
  const handle = await startSubgraph<OrdersContext>(config, {
    typeDefs: loadSchemaFile(__dirname),
    resolvers,
    entities: [Order, OrderItem, CatalogProduct],
    migrations,
    // It publishes the saga's orders.* events, so it owns the ORDERS stream.
    publishesEvents: true,
    eventHandlers: ({ orm }) => [
      onProductCreated(orm),
      onStockReserved(orm, config.paymentTimeoutMs),
      onStockRejected(orm),
      onPaymentSucceeded(orm),
      onPaymentDeclined(orm),
    ],
    consumer: options.consumer,
    committed: (events, { metrics }) => countSagaOutcomes(events, metrics),
    context: (base, { feeds }) => ({ ...base, loaders: createLoaders(base.em), feeds, orderReads }),
  });
  // Started once everything else is up, so a failed start never leaves it running.
  const sweeper = new PaymentTimeoutSweeper(
    handle.orm,
    config.sagaSweepIntervalMs,
    handle.logger.child({ component: 'payment-timeout-sweeper' }),
  );
  sweeper.start();
  let stopping: Promise<void> | null = null;
  return {
    ...handle,
    stop() {
      // The sweeper writes to the database: it stops (finishing a sweep in progress) before the database closes.
      stopping ??= sweeper.stop().then(() => handle.stop());
      return stopping;
    },
  };
}
