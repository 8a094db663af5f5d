import type { notificationKinds } from '@ficus/events';
import { EntitySchema } from '@mikro-orm/core';

/** The kinds the `notifications.notification.added` contract names. */
export type NotificationKind = (typeof notificationKinds)[number];

/** A message for one user about one of their orders. `userId` and `orderId` are other domains' ids. */
export interface NotificationRow {
  id: string;
  userId: string;
  kind: NotificationKind;
  message: string;
  orderId: string;
  createdAt: Date;
}

export const Notification = new EntitySchema<NotificationRow>({
  name: 'Notification',
  tableName: 'notifications',
  properties: {
    id: { type: 'string', primary: true },
    userId: { type: 'string' },
    kind: { type: 'string' },
    message: { type: 'string' },
    orderId: { type: 'string' },
    createdAt: { type: 'datetime' },
  },
});

/** A user as the gateway names it to this subgraph: only its key. */
export interface UserReference {
  id: string;
}

/** An order that orders resolves; this subgraph knows only its id. */
export interface OrderReference {
  __typename: 'Order';
  id: string;
}
