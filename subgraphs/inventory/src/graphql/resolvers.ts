import { currentStock, isInStock, ProductReference } from '../domain/current-stock';
import { restock } from '../domain/restock';
import type { StockFigures } from '../domain/stock-level';
import { watchStock } from '../domain/watch-stock';
import type { InventoryLoaders } from './loaders';
import type { Resolvers } from './__generated__/resolvers-types';

async function stockOf(product: ProductReference, loaders: InventoryLoaders): Promise<StockFigures> {
  return currentStock(product, await loaders.stockLevel.load(product.id));
}

// No Product.__resolveReference: the representation ({ id, initialStock }) is the parent,
// and its stock is loaded once per request for all products, whichever field asks first.
export const resolvers: Resolvers = {
  Mutation: {
    restock: (_, args, { em, identity, origin }) => restock(em, identity, args, origin),
  },
  Subscription: {
    stockChanged: {
      subscribe: (_, { productId }, { em, feeds }) => watchStock(em, feeds, productId),
      resolve: (level: StockFigures) => level,
    },
  },
  Product: {
    stock: (product, _, { loaders }) => stockOf(product, loaders),
    inStock: async (product, _, { loaders }) => isInStock(await stockOf(product, loaders)),
  },
};
