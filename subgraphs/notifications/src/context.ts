import type { BaseContext, DomainEventFeeds, SharedReads } from '@ficus/kit';
import type { NotificationRow } from './domain/notification';
import type { NotificationLoaders } from './graphql/loaders';

export interface NotificationsContext extends BaseContext {
  loaders: NotificationLoaders;
  /** For subscriptions, which follow the domain events live. */
  feeds: DomainEventFeeds;
  /** Reads of an announced notification that a user's subscribers share; one for the whole service. */
  notificationReads: SharedReads<NotificationRow | null>;
}
