import type { EntityManager } from '@mikro-orm/core';
import DataLoader from 'dataloader';
import { findPaymentsByIds, findPaymentsByOrderIds } from '../domain/find-payments';
import type { RequestedPayment } from '../domain/payment';

/** Per-request loaders: N payments asked for in one tick, by id or by order, cost one query. */
export interface PaymentLoaders {
  payment: DataLoader<string, RequestedPayment | null>;
  paymentOfOrder: DataLoader<string, RequestedPayment | null>;
}

export function createLoaders(em: EntityManager): PaymentLoaders {
  return {
    payment: new DataLoader((ids) => findPaymentsByIds(em, ids)),
    paymentOfOrder: new DataLoader((orderIds) => findPaymentsByOrderIds(em, orderIds)),
  };
}
