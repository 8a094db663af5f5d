import type { MikroORM } from '@mikro-orm/core';
import { EventHandler, productCreated } from '@ficus/events';
import { handleOnce } from '@ficus/kit';
import { recordInitialStock } from '../domain/record-initial-stock';
import { causedBy } from './origin';

/** Opens the stock of every new product, once per event however often it is delivered. */
export function onProductCreated(orm: MikroORM): EventHandler<typeof productCreated> {
  return handleOnce(orm, 'inventory', productCreated, async (em, event) => {
    await recordInitialStock(em, event.data, causedBy(event));
  });
}
