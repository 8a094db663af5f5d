import type { EntityManager } from '@mikro-orm/core';
import { stockChanged } from '@ficus/events';
import { DomainEventFeeds, stateStream } from '@ficus/kit';
import { StockFigures, StockLevel } from './stock-level';

/**
 * A product's stock as a stream: the level now (once inventory knows the product), then each
 * change `inventory.stock.changed` announces, read back from the database. Open to anyone,
 * as `Product.stock` is.
 */
export function watchStock(em: EntityManager, feeds: DomainEventFeeds, productId: string): AsyncIterableIterator<StockFigures> {
  return stateStream<StockFigures>({
    feed: feeds.open(stockChanged.type, { aggregateId: productId }),
    // A fresh unit of work per read: an identity map would hand back the level first read.
    load: () => em.fork().findOne(StockLevel, { productId }),
    // Each event carries the level it left, so no change is skipped however fast they come.
    stateOf: (event) => {
      const { productId: id, available, reserved, version } = stockChanged.parse(event.data);
      return { productId: id, available, reserved, version };
    },
    version: (level) => level.version,
    fingerprint: (level) => `${level.available}/${level.reserved}`,
  });
}
