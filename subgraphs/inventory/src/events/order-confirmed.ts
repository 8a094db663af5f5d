import type { MikroORM } from '@mikro-orm/core';
import { EventHandler, orderConfirmed } from '@ficus/events';
import { handleOnce } from '@ficus/kit';
import { sellOrder } from '../domain/sell-order';
import { causedBy } from './origin';

/** A confirmed order's reservation becomes a sale. */
export function onOrderConfirmed(orm: MikroORM): EventHandler<typeof orderConfirmed> {
  return handleOnce(orm, 'inventory', orderConfirmed, async (em, event, { logger }) => {
    const { orderId } = event.data;
    const outcome = await sellOrder(em, orderId, causedBy(event));
    if (outcome.kind === 'not-reserved' && outcome.status !== 'SOLD') {
      logger.warn({ orderId, status: outcome.status }, 'confirmed order has no reservation; nothing sold');
    }
  });
}
