import type { MikroORM } from '@mikro-orm/core';
import { EventHandler, productCreated } from '@ficus/events';
import { handleOnce } from '@ficus/kit';
import { recordProduct } from '../domain/record-product';

/** A product created in products gets its row in the shop's catalog, once per event. */
export function onProductCreated(orm: MikroORM): EventHandler<typeof productCreated> {
  return handleOnce(orm, 'legacy-shop', productCreated, async (em, event) => {
    await recordProduct(em, event.data, new Date(event.occurredAt));
  });
}
