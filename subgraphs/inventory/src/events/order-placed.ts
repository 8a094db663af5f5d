import type { MikroORM } from '@mikro-orm/core';
import { EventHandler, orderPlaced } from '@ficus/events';
import { handleOnce } from '@ficus/kit';
import { reserveOrder } from '../domain/reserve-order';
import { causedBy } from './origin';

/** Reserves all of a placed order's items or none; an order inventory has already decided about is left alone. */
export function onOrderPlaced(orm: MikroORM): EventHandler<typeof orderPlaced> {
  return handleOnce(orm, 'inventory', orderPlaced, async (em, event, { logger }) => {
    const { orderId, items } = event.data;
    const outcome = await reserveOrder(em, { orderId, items }, causedBy(event));
    if (outcome.kind === 'already-decided') {
      logger.info({ orderId, status: outcome.status }, 'order already has a hold; nothing reserved');
    }
  });
}
