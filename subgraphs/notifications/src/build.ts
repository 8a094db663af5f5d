import { loadSchemaFile, SharedReads, startSubgraph, SubgraphConfig, SubgraphDefinition, SubgraphHandle } from '@ficus/kit';
import type { NotificationsContext } from './context';
import { migrations } from './db/migrations';
import { Notification, NotificationRow } from './domain/notification';
import { onOrderCancelled } from './events/order-cancelled';
import { onOrderConfirmed } from './events/order-confirmed';
import { createLoaders } from './graphql/loaders';
import { resolvers } from './graphql/resolvers';

export interface NotificationsOptions {
  /** Redelivery tuning for the event consumer; tests shorten it. */
  consumer?: SubgraphDefinition<NotificationsContext>['consumer'];
}

/** Wires the notifications subgraph; `config.port` 0 picks a free port. */
export function build(config: SubgraphConfig, options: NotificationsOptions = {}): Promise<SubgraphHandle> {
  const notificationReads = new SharedReads<NotificationRow | null>();
  return startSubgraph<NotificationsContext>(config, {
    typeDefs: loadSchemaFile(__dirname),
    resolvers,
    entities: [Notification],
    migrations,
    // It announces notifications.notification.added, so it owns the NOTIFICATIONS stream.
    publishesEvents: true,
    eventHandlers: ({ orm }) => [onOrderConfirmed(orm), onOrderCancelled(orm)],
    consumer: options.consumer,
    context: (base, { feeds }) => ({ ...base, loaders: createLoaders(base.em), feeds, notificationReads }),
  });
}
