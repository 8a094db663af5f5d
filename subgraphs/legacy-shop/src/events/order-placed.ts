import type { MikroORM } from '@mikro-orm/core';
import { EventHandler, orderPlaced } from '@ficus/events';
import { handleOnce } from '@ficus/kit';
import { recordOrder } from '../domain/record-order';

/** An order placed in orders gets its row in the shop's back office, once per event. */
export function onOrderPlaced(orm: MikroORM): EventHandler<typeof orderPlaced> {
  return handleOnce(orm, 'legacy-shop', orderPlaced, async (em, event) => {
    await recordOrder(em, event.data, new Date(event.occurredAt));
  });
}
