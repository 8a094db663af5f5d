import type { MikroORM } from '@mikro-orm/core';
import { EventHandler, orderConfirmed } from '@ficus/events';
import { handleOnce } from '@ficus/kit';
import { notifyCustomer } from '../domain/notify-customer';
import { confirmedMessage } from '../domain/order-messages';
import { causedBy } from './origin';

/** Tells the customer their order is confirmed. */
export function onOrderConfirmed(orm: MikroORM): EventHandler<typeof orderConfirmed> {
  return handleOnce(orm, 'notifications', orderConfirmed, async (em, event) => {
    const { orderId, customerId } = event.data;
    await notifyCustomer(em, { userId: customerId, orderId, kind: 'ORDER_CONFIRMED', message: confirmedMessage(orderId) }, causedBy(event));
  });
}
