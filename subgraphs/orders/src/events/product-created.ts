import type { MikroORM } from '@mikro-orm/core';
import { EventHandler, productCreated } from '@ficus/events';
import { handleOnce } from '@ficus/kit';
import { recordCatalogProduct } from '../domain/record-catalog-product';
import { consumerName } from './consumer';

/** Keeps the local catalog from which orders are priced. */
export function onProductCreated(orm: MikroORM): EventHandler<typeof productCreated> {
  return handleOnce(orm, consumerName, productCreated, async (em, { data }) => {
    await recordCatalogProduct(em, {
      productId: data.productId,
      name: data.name,
      priceAmount: data.price.amount,
      priceCurrency: data.price.currency,
    });
  });
}
