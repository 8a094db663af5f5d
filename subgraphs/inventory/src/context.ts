import type { BaseContext, DomainEventFeeds } from '@ficus/kit';
import type { InventoryLoaders } from './graphql/loaders';

export interface InventoryContext extends BaseContext {
  loaders: InventoryLoaders;
  /** For subscriptions, which follow the domain events live. */
  feeds: DomainEventFeeds;
}
