import type { MikroORM } from '@mikro-orm/core';
import { EventHandler, orderCancelled } from '@ficus/events';
import { handleOnce } from '@ficus/kit';
import { releaseOrder } from '../domain/release-order';
import { causedBy } from './origin';

/** A cancelled order's reservation is released; one not placed yet is tombstoned so it never reserves. */
export function onOrderCancelled(orm: MikroORM): EventHandler<typeof orderCancelled> {
  return handleOnce(orm, 'inventory', orderCancelled, async (em, event, { logger }) => {
    const { orderId, reason } = event.data;
    const outcome = await releaseOrder(em, orderId, causedBy(event));
    if (outcome.kind === 'already-sold') {
      logger.warn({ orderId, reason }, 'cancelled order was already sold; cancelling a sale is not a stock release');
    }
  });
}
