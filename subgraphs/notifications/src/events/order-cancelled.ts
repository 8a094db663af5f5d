import type { MikroORM } from '@mikro-orm/core';
import { EventHandler, orderCancelled } from '@ficus/events';
import { handleOnce } from '@ficus/kit';
import { notifyCustomer } from '../domain/notify-customer';
import { cancelledMessage } from '../domain/order-messages';
import { causedBy } from './origin';

/** Tells the customer their order was cancelled, and why. */
export function onOrderCancelled(orm: MikroORM): EventHandler<typeof orderCancelled> {
  return handleOnce(orm, 'notifications', orderCancelled, async (em, event) => {
    const { orderId, customerId, reason } = event.data;
    await notifyCustomer(
      em,
      { userId: customerId, orderId, kind: 'ORDER_CANCELLED', message: cancelledMessage(orderId, reason) },
      causedBy(event),
    );
  });
}
