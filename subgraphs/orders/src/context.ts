import type { BaseContext } from '@ficus/kit';
import type { NatsConnection } from 'nats';
import type { OrderLoaders } from './graphql/loaders';

export interface OrdersContext extends BaseContext {
  loaders: OrderLoaders;
  /** For subscriptions, which follow the domain events live. */
  nats: NatsConnection;
}
