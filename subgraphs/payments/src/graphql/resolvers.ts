import { amountOf } from '../domain/payment';
import type { Resolvers } from './__generated__/resolvers-types';

// No Order.__resolveReference: the representation ({ id }) is the parent, and the
// payments of every order in an `_entities` call load in one query.
export const resolvers: Resolvers = {
  Order: {
    payment: (order, _, { loaders }) => loaders.paymentOfOrder.load(order.id),
  },
  Payment: {
    __resolveReference: ({ id }, { loaders }) => loaders.payment.load(id),
    amount: (payment) => amountOf(payment),
    order: (payment) => ({ __typename: 'Order', id: payment.orderId }),
  },
};
