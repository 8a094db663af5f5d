import type { BaseContext } from '@ficus/kit';
import type { NatsConnection } from 'nats';
import type { NotificationLoaders } from './graphql/loaders';

export interface NotificationsContext extends BaseContext {
  loaders: NotificationLoaders;
  /** For subscriptions, which follow the domain events live. */
  nats: NatsConnection;
}
