import { listShopOrders, listShopProducts } from '../domain/list-shop';
import type { Resolvers } from './__generated__/resolvers-types';

export const resolvers: Resolvers = {
  Query: {
    legacyProducts: (_, { first }, { em }) => listShopProducts(em, first),
    legacyOrders: (_, { first }, { em, identity }) => listShopOrders(em, identity, first),
  },
  Product: {
    // A product the shop has not heard of yet still resolves: its slug is then null, never an error.
    __resolveReference: async ({ id }, { loaders }) => (await loaders.product.load(id)) ?? { id, slug: null },
  },
};
