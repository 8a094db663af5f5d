import { cancelOrder } from '../domain/cancel-order';
import { findVisibleOrder } from '../domain/find-orders';
import { orderPageRequest } from '../domain/list-customer-orders';
import { OrderRow, totalOf } from '../domain/order';
import { unitPriceOf } from '../domain/order-item';
import { placeOrder } from '../domain/place-order';
import { watchOrderStatus } from '../domain/watch-order-status';
import type { Resolvers } from './__generated__/resolvers-types';

export const resolvers: Resolvers = {
  Query: {
    order: (_, { id }, { identity, loaders }) => findVisibleOrder(loaders.order, identity, id),
  },
  Mutation: {
    placeOrder: (_, { input }, { em, identity, origin }) => placeOrder(em, identity, input, origin),
    cancelOrder: (_, { id }, { em, identity, origin }) => cancelOrder(em, identity, id, origin),
  },
  Subscription: {
    orderStatusChanged: {
      subscribe: (_, { orderId }, { em, feeds, orderReads, identity }) => watchOrderStatus(em, feeds, orderReads, identity, orderId),
      resolve: (order: OrderRow) => order,
    },
  },
  Order: {
    // No access check: the gateway reaches an order by reference only from a parent
    // (a payment, a notification) that was itself authorized.
    __resolveReference: ({ id }, { loaders }) => loaders.order.load(id),
    items: (order, _, { loaders }) => loaders.items.load(order.id),
    total: (order) => totalOf(order),
    customer: (order) => ({ __typename: 'User', id: order.customerId }),
    createdAt: (order) => order.createdAt.toISOString(),
    updatedAt: (order) => order.updatedAt.toISOString(),
  },
  OrderItem: {
    product: (item) => ({ __typename: 'Product', id: item.productId }),
    unitPrice: (item) => unitPriceOf(item),
  },
  User: {
    __resolveReference: ({ id }) => ({ id }),
    orders: (user, args, { identity, loaders }) => loaders.orderPage.load(orderPageRequest(identity, user.id, args)),
  },
};
