import { createProduct } from '../domain/create-product';
import { listProducts } from '../domain/list-products';
import { slugOf } from '../domain/product';
import type { Resolvers } from './__generated__/resolvers-types';

export const resolvers: Resolvers = {
  Query: {
    products: (_, args, { em }) => listProducts(em, args),
    product: (_, { id }, { loaders }) => loaders.product.load(id),
  },
  Mutation: {
    createProduct: (_, { input }, { em, identity, origin }) => createProduct(em, identity, input, origin),
  },
  Product: {
    __resolveReference: ({ id }, { loaders }) => loaders.product.load(id),
    slug: (product) => slugOf(product),
    price: (product) => ({ amount: product.priceAmount, currency: product.priceCurrency }),
  },
};
