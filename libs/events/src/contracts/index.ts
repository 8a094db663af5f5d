import { EventContract } from '../contract';
import { stockChanged, stockRejected, stockReserved } from './inventory';
import { orderCancelled, orderConfirmed, orderPlaced, paymentRequested } from './orders';
import { paymentDeclined, paymentRefunded, paymentSucceeded } from './payments';
import { productCreated } from './products';
import { userRegistered } from './users';

export { money, orderLine } from './money';
export { cancellationReasons } from './orders';
export {
  userRegistered,
  productCreated,
  stockChanged,
  stockReserved,
  stockRejected,
  orderPlaced,
  paymentRequested,
  orderConfirmed,
  orderCancelled,
  paymentSucceeded,
  paymentDeclined,
  paymentRefunded,
};

/** Every event contract in the system, for catalogs and contract checks. */
export const allContracts: readonly EventContract[] = [
  userRegistered,
  productCreated,
  stockChanged,
  stockReserved,
  stockRejected,
  orderPlaced,
  paymentRequested,
  orderConfirmed,
  orderCancelled,
  paymentSucceeded,
  paymentDeclined,
  paymentRefunded,
];
