import type { NotificationRow } from '../domain/notification';
import { visibleNotification, visibleNotifications } from '../domain/visible-notifications';
import { watchNotifications } from '../domain/watch-notifications';
import type { Resolvers } from './__generated__/resolvers-types';

// No User.__resolveReference: the representation ({ id }) is all `notifications` needs.
export const resolvers: Resolvers = {
  Subscription: {
    notificationAdded: {
      subscribe: (_, { after }, { em, feeds, notificationReads, identity }) => watchNotifications(em, feeds, notificationReads, identity, after),
      resolve: (notification: NotificationRow) => notification,
    },
  },
  User: {
    notifications: (user, { first }, { identity, loaders }) => visibleNotifications(loaders.newestOfUser, identity, user.id, first),
  },
  Notification: {
    __resolveReference: ({ id }, { identity, loaders }) => visibleNotification(loaders.notification, identity, id),
    createdAt: (notification) => notification.createdAt.toISOString(),
    order: (notification) => ({ __typename: 'Order', id: notification.orderId }),
  },
};
