import { z } from 'zod';
import { defineEvent } from '../contract';

export const notificationKinds = ['ORDER_CONFIRMED', 'ORDER_CANCELLED'] as const;

/**
 * A notification was stored for a user. Its aggregate is the user, so that the relay
 * publishes one user's notifications in the order they were stored.
 */
export const notificationAdded = defineEvent({
  type: 'notifications.notification.added',
  version: 1,
  schema: z.object({
    notificationId: z.string(),
    userId: z.string(),
    orderId: z.string(),
    kind: z.enum(notificationKinds),
    /** ISO 8601, as the notification's `createdAt`. */
    createdAt: z.string().datetime({ offset: true }),
  }),
});
