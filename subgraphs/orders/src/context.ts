import type { BaseContext, DomainEventFeeds, SharedReads } from '@ficus/kit';
import type { OrderRow } from './domain/order';
import type { OrderLoaders } from './graphql/loaders';

export interface OrdersContext extends BaseContext {
  loaders: OrderLoaders;
  /** For subscriptions, which follow the domain events live. */
  feeds: DomainEventFeeds;
  /** Reads of an order that the subscribers woken by one event share; one for the whole service. */
  orderReads: SharedReads<OrderRow | null>;
}
