import type { BaseContext } from '@ficus/kit';
import type { NatsConnection } from 'nats';
import type { InventoryLoaders } from './graphql/loaders';

export interface InventoryContext extends BaseContext {
  loaders: InventoryLoaders;
  /** For subscriptions, which follow the domain events live. */
  nats: NatsConnection;
}
